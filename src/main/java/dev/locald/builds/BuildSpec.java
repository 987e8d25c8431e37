package dev.locald.builds;

import dev.locald.image.NetworkMode;
import dev.locald.image.PullPolicy;
import java.time.Duration;
import java.util.List;

/**
 * What was asked for, as kept in the build record: everything but secrets. Env values are left out
 * (they often carry tokens); their names are kept. {@code timeout} is null for the default.
 *
 * @param owner the name of the API token that submitted the build; null when the API is open (and in records
 *     written before tokens existed)
 * @param resources the limits the request asked for ({@link BuildResources#DEFAULT}: the configured ones, also for
 *     records written before requests could ask)
 * @param options the pack-style options asked for ({@link BuildOptions#NONE} also for older records)
 * @param pullPolicy when the images locald pulls were asked of the registry
 *     ({@link PullPolicy#IF_NOT_PRESENT} also for older records)
 * @param kind a build from source or a rebase ({@link BuildKind#BUILD} also for records written before rebases)
 */
public record BuildSpec(
        String image,
        String builder,
        String runImage,
        List<String> envNames,
        List<String> buildpacks,
        List<String> tags,
        boolean trustBuilder,
        boolean clearCache,
        NetworkMode network,
        Duration timeout,
        boolean registryAuth,
        String owner,
        BuildResources resources,
        BuildOptions options,
        PullPolicy pullPolicy,
        BuildKind kind) {

    public BuildSpec {
        kind = kind == null ? BuildKind.BUILD : kind;
        pullPolicy = pullPolicy == null ? PullPolicy.IF_NOT_PRESENT : pullPolicy;
        options = options == null ? BuildOptions.NONE : options;
        envNames = envNames == null ? List.of() : List.copyOf(envNames);
        buildpacks = buildpacks == null ? List.of() : List.copyOf(buildpacks);
        tags = tags == null ? List.of() : List.copyOf(tags);
        resources = resources == null ? BuildResources.DEFAULT : resources;
    }
}
