package dev.locald.builds;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Build options pack users know (docs/api.md), as checked by the API; none is secret, so the build record keeps
 * them as they are. Null (or false) leaves the lifecycle's default.
 *
 * @param defaultProcess the process type the image starts by default ({@code CNB_PROCESS_TYPE})
 * @param creationTime {@code "now"} or the image's creation time in epoch seconds (the API turns RFC 3339 into
 *     seconds); null keeps the lifecycle's reproducible 1980-01-01T00:00:01Z
 * @param previousImage the image to reuse layers from instead of the target, a full reference
 * @param execEnv the execution environment (platform API 0.15; the lifecycle's default is {@code production})
 * @param disableSystemBuildpacks leave out the builder's {@code /cnb/system.toml} buildpacks (platform API 0.15)
 * @param force a rebase only: the rebaser's {@code -force} ({@code CNB_FORCE_REBASE}), for a run image the app's
 *     metadata does not name, an app not marked rebasable, or another os/arch (docs/api.md, "Rebase")
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record BuildOptions(
        String defaultProcess,
        String creationTime,
        String previousImage,
        String execEnv,
        boolean disableSystemBuildpacks,
        boolean force) {

    /** No option given. */
    public static final BuildOptions NONE = new BuildOptions(null, null, null, null, false, false);

    /** The {@code creationTime} meaning the moment the image is exported. */
    public static final String NOW = "now";

    @JsonIgnore
    public boolean isDefault() {
        return equals(NONE);
    }
}
