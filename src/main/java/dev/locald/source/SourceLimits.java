package dev.locald.source;

/**
 * Bounds on one build's source, against archive bombs.
 *
 * @param maxEntries        entries of any kind
 * @param maxExpandedBytes  total bytes of file contents written
 * @param maxRatio          expanded bytes per byte of archive, checked once more than
 *                          {@link #RATIO_GRACE_BYTES} have been written
 */
public record SourceLimits(long maxEntries, long maxExpandedBytes, long maxRatio) {

    /** Small archives may compress very well (a tar of zeros); the ratio only matters past this size. */
    public static final long RATIO_GRACE_BYTES = 1 << 20;

    public SourceLimits {
        if (maxEntries <= 0 || maxExpandedBytes <= 0 || maxRatio <= 0) {
            throw new IllegalArgumentException("source limits must be positive");
        }
    }

    public static SourceLimits defaults() {
        return new SourceLimits(200_000, 4L << 30, 200);
    }
}
