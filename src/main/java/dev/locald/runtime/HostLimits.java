package dev.locald.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Limits of the host process that bound what a container may be given. */
public final class HostLimits {

    private HostLimits() {}

    /**
     * The hard RLIMIT_NOFILE of this process (runc refuses a container limit above it), from
     * /proc/self/limits; empty when unlimited.
     */
    public static OptionalLong openFilesHardLimit() throws IOException {
        return parseOpenFilesHardLimit(Files.readString(Path.of("/proc/self/limits")));
    }

    static OptionalLong parseOpenFilesHardLimit(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] fields =
                        line.substring("Max open files".length()).trim().split("\\s+");
                return fields[1].equals("unlimited")
                        ? OptionalLong.empty()
                        : OptionalLong.of(Long.parseLong(fields[1]));
            }
        }
        throw new IllegalStateException("no 'Max open files' line in /proc/self/limits");
    }

    /** The configured limit, lowered to the host's hard limit. */
    public static long openFilesFor(long configured) throws IOException {
        OptionalLong hard = openFilesHardLimit();
        return hard.isPresent() ? Math.min(configured, hard.getAsLong()) : configured;
    }
}
