package dev.locald.runtime;

import java.util.OptionalLong;

/**
 * cgroup limits for one container: memory in bytes, number of tasks, and CPU time as a CFS quota per
 * {@link #CPU_PERIOD_MICROS} (100000 = one CPU).
 */
public record ResourceLimits(OptionalLong memoryBytes, OptionalLong pids, OptionalLong cpuQuotaMicros) {

    public static final long CPU_PERIOD_MICROS = 100_000;

    public ResourceLimits {
        memoryBytes.ifPresent(v -> requireAtLeast(v, 4L * 1024 * 1024, "memory limit"));
        pids.ifPresent(v -> requireAtLeast(v, 1, "pids limit"));
        cpuQuotaMicros.ifPresent(v -> requireAtLeast(v, 1000, "cpu quota"));
    }

    public static ResourceLimits none() {
        return new ResourceLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    public ResourceLimits withMemoryBytes(long bytes) {
        return new ResourceLimits(OptionalLong.of(bytes), pids, cpuQuotaMicros);
    }

    public ResourceLimits withPids(long limit) {
        return new ResourceLimits(memoryBytes, OptionalLong.of(limit), cpuQuotaMicros);
    }

    /** CPU as a number of CPUs, e.g. 1.5. */
    public ResourceLimits withCpus(double cpus) {
        return new ResourceLimits(memoryBytes, pids, OptionalLong.of(Math.round(cpus * CPU_PERIOD_MICROS)));
    }

    public boolean isEmpty() {
        return memoryBytes.isEmpty() && pids.isEmpty() && cpuQuotaMicros.isEmpty();
    }

    private static void requireAtLeast(long value, long min, String what) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", got " + value);
        }
    }
}
