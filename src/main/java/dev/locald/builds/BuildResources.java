package dev.locald.builds;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.locald.config.ByteSize;
import dev.locald.config.LocaldConfig;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What one build may use in each phase: memory (swap excluded), CPUs as a quota, processes, and bytes written
 * to disk. In a request each is optional (null: the configured value); {@link #within} gives the limits a
 * build runs with. Kept in the build record as asked.
 *
 * @param memory memory of each phase container
 * @param cpus CPUs of each phase container (e.g. 1.5)
 * @param pids processes and threads at once in each phase container
 * @param disk bytes the build may write under its /layers, /workspace, /tmp and cache
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildResources(ByteSize memory, Double cpus, Long pids, ByteSize disk) {

    /** Nothing asked for: every limit is the configured one. */
    public static final BuildResources DEFAULT = new BuildResources(null, null, null, null);

    /** The configured limits; {@code cpus} unset means all cores (no quota). */
    public static BuildResources configured(LocaldConfig.BuildLimits limits) {
        OptionalDouble cpus = limits.cpus();
        return new BuildResources(
                limits.memory(), cpus.isPresent() ? cpus.getAsDouble() : null, limits.pids(), limits.disk());
    }

    /** The limits a build runs with: what it asked for, each held to the configured value, else the configured value. */
    public BuildResources within(BuildResources configured) {
        return new BuildResources(
                smaller(memory, configured.memory),
                smaller(cpus, configured.cpus),
                smaller(pids, configured.pids),
                smaller(disk, configured.disk));
    }

    @JsonIgnore
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    public Optional<ByteSize> memoryLimit() {
        return Optional.ofNullable(memory);
    }

    public OptionalDouble cpuLimit() {
        return cpus == null ? OptionalDouble.empty() : OptionalDouble.of(cpus);
    }

    public OptionalLong pidsLimit() {
        return pids == null ? OptionalLong.empty() : OptionalLong.of(pids);
    }

    public Optional<ByteSize> diskLimit() {
        return Optional.ofNullable(disk);
    }

    /** The asked value held to the configured one; either may be null (not asked, not limited). */
    private static <T extends Comparable<T>> T smaller(T asked, T configured) {
        if (asked == null) {
            return configured;
        }
        return configured == null || asked.compareTo(configured) <= 0 ? asked : configured;
    }
}
