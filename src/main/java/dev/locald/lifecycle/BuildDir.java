package dev.locald.lifecycle;

/**
 * The per-build host directories a phase can have mounted, each with where it appears inside phase
 * containers; the caller maps each to a host path.
 */
public enum BuildDir {
    /** Fresh per build, owned by the CNB user. */
    LAYERS("/layers"),
    /** The app source, owned by the CNB user. */
    WORKSPACE("/workspace"),
    /** {@code env/NAME} files written by {@link PlatformDir}; mounted read-only. */
    PLATFORM("/platform"),
    /** The persistent cache of the target repository (see {@code cnb.BuildCaches}). */
    CACHE("/cache");

    /** In {@link #LAYERS}: written by the platform before the first phase (see {@link RunToml}). */
    public static final String RUN_TOML = "run.toml";
    /** In {@link #LAYERS}: written by the platform only when the request overrides the buildpacks. */
    public static final String ORDER_TOML = "order.toml";
    /** In {@link #LAYERS}: an empty system.toml, written only when the request disables system buildpacks. */
    public static final String SYSTEM_TOML = "system.toml";
    /** In {@link #LAYERS}: written by the phases. */
    public static final String ANALYZED_TOML = "analyzed.toml";

    public static final String GROUP_TOML = "group.toml";
    public static final String PLAN_TOML = "plan.toml";
    /** In {@link #LAYERS}: the exporter's result (see {@link ReportToml}). */
    public static final String REPORT_TOML = "report.toml";

    private final String containerPath;

    BuildDir(String containerPath) {
        this.containerPath = containerPath;
    }

    /** Where this directory is mounted in a phase container. */
    public String containerPath() {
        return containerPath;
    }

    /** Where the file {@code name} in this directory appears in a phase container. */
    public String containerPath(String name) {
        return containerPath + "/" + name;
    }
}
