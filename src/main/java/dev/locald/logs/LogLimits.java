package dev.locald.logs;

/**
 * Caps of one build's log.
 *
 * @param maxLineChars longest text kept per line; longer lines are cut and marked
 * @param maxTotalBytes bytes of text stored per build; once reached, one notice is written and later
 *     lines are dropped (the build itself goes on)
 * @param memoryRecords recent records kept in memory for live followers; older ones are read back from the file
 */
public record LogLimits(int maxLineChars, long maxTotalBytes, int memoryRecords) {
    public LogLimits {
        if (maxLineChars < 64) {
            throw new IllegalArgumentException("maxLineChars must be at least 64: " + maxLineChars);
        }
        if (maxTotalBytes < 1024) {
            throw new IllegalArgumentException("maxTotalBytes must be at least 1024: " + maxTotalBytes);
        }
        if (memoryRecords < 1) {
            throw new IllegalArgumentException("memoryRecords must be positive: " + memoryRecords);
        }
    }

    public static LogLimits defaults() {
        return new LogLimits(16 * 1024, 64L * 1024 * 1024, 2048);
    }
}
