package dev.locald.lifecycle;

/** Where the build directories and platform-written files appear inside phase containers. */
public final class ContainerPaths {
    private ContainerPaths() {
    }

    public static final String LAYERS = "/layers";
    public static final String WORKSPACE = "/workspace";
    public static final String PLATFORM = "/platform";
    public static final String CACHE = "/cache";

    /** Written by the platform before the first phase (see {@link RunToml}); read by analyzer, restorer, exporter. */
    public static final String RUN_TOML = LAYERS + "/run.toml";
    /** Written by the platform only when the request overrides the buildpacks (see {@link OrderToml}). */
    public static final String ORDER_TOML = LAYERS + "/order.toml";
    public static final String ANALYZED_TOML = LAYERS + "/analyzed.toml";
    public static final String GROUP_TOML = LAYERS + "/group.toml";
    public static final String PLAN_TOML = LAYERS + "/plan.toml";
    public static final String REPORT_TOML = LAYERS + "/report.toml";

    /** Names of those files relative to the layers dir, for the host side. */
    public static final String RUN_TOML_NAME = "run.toml";
    public static final String ORDER_TOML_NAME = "order.toml";
    public static final String REPORT_TOML_NAME = "report.toml";
}
