package dev.locald.lifecycle;

/**
 * Every {@code CNB_*} variable locald sets for a lifecycle phase, in one place (as the lifecycle's own
 * {@code platform/defaults.go} keeps them). The lifecycle reads each of them at every platform API; which
 * phase gets which is {@link PhasePlan}'s business, and docs/lifecycle.md explains the choices.
 */
final class PlatformEnv {

    /** The platform API the phase must speak; unset or empty, the lifecycle exits 11. */
    static final String PLATFORM_API = "CNB_PLATFORM_API";
    /** The CNB user's ids; unset means 0, and a non-root lifecycle cannot switch to root. */
    static final String USER_ID = "CNB_USER_ID";

    static final String GROUP_ID = "CNB_GROUP_ID";
    /** {@code /layers}: buildpack layers and the platform's TOML files. */
    static final String LAYERS_DIR = "CNB_LAYERS_DIR";
    /** {@code /workspace}: the app. */
    static final String APP_DIR = "CNB_APP_DIR";
    /** {@code /platform}: {@code env/} files from the request. */
    static final String PLATFORM_DIR = "CNB_PLATFORM_DIR";
    /** The persistent cache directory of the target repository. */
    static final String CACHE_DIR = "CNB_CACHE_DIR";

    static final String ANALYZED_PATH = "CNB_ANALYZED_PATH";
    static final String GROUP_PATH = "CNB_GROUP_PATH";
    static final String PLAN_PATH = "CNB_PLAN_PATH";
    static final String REPORT_PATH = "CNB_REPORT_PATH";
    /** The rebaser's {@code -force}. */
    static final String FORCE_REBASE = "CNB_FORCE_REBASE";

    static final String ORDER_PATH = "CNB_ORDER_PATH";
    static final String RUN_PATH = "CNB_RUN_PATH";
    /** The run image the analyzer records and the exporter builds on. */
    static final String RUN_IMAGE = "CNB_RUN_IMAGE";
    /** Registries the lifecycle may talk plain HTTP to (comma-separated). */
    static final String INSECURE_REGISTRIES = "CNB_INSECURE_REGISTRIES";
    /** {@code clearCache}: the restorer restores nothing, the analyzer reads no previous layers. */
    static final String SKIP_LAYERS = "CNB_SKIP_LAYERS";

    static final String SKIP_RESTORE = "CNB_SKIP_RESTORE";
    /** Always false: locald has no daemon; images go to registries. */
    static final String USE_DAEMON = "CNB_USE_DAEMON";

    static final String LOG_LEVEL = "CNB_LOG_LEVEL";
    /** Plain output: the log is read by people through the API, not a terminal. */
    static final String NO_COLOR = "CNB_NO_COLOR";

    /**
     * Where buildpacks find the service bindings ({@link BindingsDir}); not a {@code CNB_*} name, and the
     * lifecycle passes no such variable on to buildpacks, so it also goes to {@code /platform/env}.
     */
    static final String SERVICE_BINDING_ROOT = BindingsDir.ROOT_VARIABLE;
    /** The request's {@code defaultProcess}: the image's entrypoint becomes {@code /cnb/process/<type>}. */
    static final String PROCESS_TYPE = "CNB_PROCESS_TYPE";
    /** The image to reuse layers from (default: the target itself); read by analyzer and creator. */
    static final String PREVIOUS_IMAGE = "CNB_PREVIOUS_IMAGE";
    /** 0.15: the execution environment buildpacks and processes are selected for (default production). */
    static final String EXEC_ENV = "CNB_EXEC_ENV";
    /** 0.15: the system buildpacks file (default {@code /cnb/system.toml}); a missing file means none. */
    static final String SYSTEM_PATH = "CNB_SYSTEM_PATH";
    /** Not a CNB_ name, but the exporter's: the image's creation time in epoch seconds (default 1980-01-01). */
    static final String SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH";

    private PlatformEnv() {}
}
