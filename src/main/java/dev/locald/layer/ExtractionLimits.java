package dev.locald.layer;

import dev.locald.config.LocaldConfig;

/**
 * Bounds on what one layer may expand to, so that a decompression bomb or a tar of millions of empty
 * entries fails fast instead of filling the disk.
 *
 * @param maxExpandedBytes    decompressed tar bytes, and separately bytes written to files (sparse files
 *                            can write far more than the tar holds)
 * @param maxEntries          tar entries, including whiteouts and skipped entries
 * @param maxCompressionRatio decompressed bytes per compressed byte read (not checked for plain tars)
 * @param maxPathLength       UTF-8 bytes of an entry name or link target
 * @param maxFileBytes        size of a single regular file
 */
public record ExtractionLimits(
        long maxExpandedBytes, long maxEntries, long maxCompressionRatio, int maxPathLength, long maxFileBytes) {

    public ExtractionLimits {
        if (maxExpandedBytes <= 0
                || maxEntries <= 0
                || maxCompressionRatio <= 0
                || maxPathLength <= 0
                || maxFileBytes <= 0) {
            throw new IllegalArgumentException("extraction limits must be positive");
        }
    }

    public static ExtractionLimits from(LocaldConfig.Limits limits) {
        return new ExtractionLimits(
                limits.maxLayerExpandedBytes(),
                limits.maxLayerEntries(),
                limits.maxCompressionRatio(),
                limits.maxLayerPathLength(),
                limits.maxLayerFileBytes());
    }
}
