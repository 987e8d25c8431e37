package dev.locald.builds;

import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import dev.locald.image.PullPolicy;
import dev.locald.registry.RegistryCredential;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated build request (the API checks every field before one is made). References are parsed once,
 * by the API, into {@link ImageReference}s.
 *
 * @param image the target image to publish
 * @param builder the builder image; empty when the source's project.toml is to name it (the build fails when
 *        neither does)
 * @param runImage a run image overriding the builder's choice
 * @param env build-time variables written to {@code /platform/env}
 * @param secretEnv names (keys of {@code env}) whose values are redacted from the log
 * @param buildpacks the one group replacing the builder's order: buildpacks of the builder ({@code id[@version]}
 *        or {@code urn:cnb:builder:id[@version]}) and buildpackage images ({@code docker://<image>})
 * @param tags additional references to publish the image under
 * @param trustBuilder run the single {@code creator} phase (credentials then reach the builder)
 * @param clearCache ignore (and replace) the cache of the target
 * @param network the network given to the phases
 * @param timeout the whole-build deadline, empty for the configured default
 * @param registryAuth credentials for the target registry (its pulls and its publishing); memory only
 * @param resources the limits asked for (each within the configured one); {@link BuildResources#DEFAULT} for none
 * @param imageScope the image prefixes of the submitting {@code builder} API token; the host's docker-config
 *        credentials reach the phases only for images inside them (docs/security.md); empty = no restriction
 * @param bindings service bindings by name, written to {@code /platform/bindings}; memory only (the record
 *        keeps none of them)
 * @param options defaultProcess, creationTime, previousImage, execEnv, disableSystemBuildpacks
 * @param pullPolicy when the images locald pulls are asked of the registry; null means
 *        {@link PullPolicy#IF_NOT_PRESENT}
 * @param kind a build from source or a rebase of {@code image} (then with no builder, env, buildpacks, bindings
 *        or options; the API refuses them); null means {@link BuildKind#BUILD}
 */
public record BuildRequest(
        ImageReference image,
        Optional<ImageReference> builder,
        Optional<ImageReference> runImage,
        Map<String, String> env,
        Set<String> secretEnv,
        List<String> buildpacks,
        List<ImageReference> tags,
        boolean trustBuilder,
        boolean clearCache,
        NetworkMode network,
        Optional<Duration> timeout,
        Optional<RegistryCredential> registryAuth,
        BuildResources resources,
        Map<String, ServiceBinding> bindings,
        List<String> imageScope,
        BuildOptions options,
        PullPolicy pullPolicy,
        BuildKind kind) {

    public BuildRequest {
        kind = kind == null ? BuildKind.BUILD : kind;
        pullPolicy = pullPolicy == null ? PullPolicy.IF_NOT_PRESENT : pullPolicy;
        options = options == null ? BuildOptions.NONE : options;
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(runImage, "runImage");
        env = Map.copyOf(env);
        secretEnv = Set.copyOf(secretEnv);
        buildpacks = List.copyOf(buildpacks);
        tags = List.copyOf(tags);
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(registryAuth, "registryAuth");
        Objects.requireNonNull(resources, "resources");
        imageScope = List.copyOf(imageScope);
        bindings = Map.copyOf(bindings);
        if (!env.keySet().containsAll(secretEnv)) {
            throw new IllegalArgumentException("secretEnv names a variable that env does not set");
        }
    }

    /** The same request limited to the image prefixes of the token that submits it (empty: unrestricted). */
    public BuildRequest scopedTo(List<String> prefixes) {
        return new BuildRequest(
                image,
                builder,
                runImage,
                env,
                secretEnv,
                buildpacks,
                tags,
                trustBuilder,
                clearCache,
                network,
                timeout,
                registryAuth,
                resources,
                bindings,
                prefixes,
                options,
                pullPolicy,
                kind);
    }

    /** Whether {@code ref} lies inside {@link #imageScope()}, compared as the API compares the token's prefixes. */
    public boolean inScope(ImageReference ref) {
        return imageScope.isEmpty() || imageScope.stream().anyMatch(ref.toString()::startsWith);
    }

    /** The non-secret part kept in the build record, submitted by API token {@code owner} (null: open API). */
    public BuildSpec spec(String owner) {
        return new BuildSpec(
                image.toString(),
                builder.map(ImageReference::toString).orElse(null),
                runImage.map(ImageReference::toString).orElse(null),
                List.copyOf(new java.util.TreeSet<>(env.keySet())),
                buildpacks,
                tags.stream().map(ImageReference::toString).toList(),
                trustBuilder,
                clearCache,
                network,
                timeout.orElse(null),
                registryAuth.isPresent(),
                owner,
                resources,
                options,
                pullPolicy,
                kind);
    }

    @Override
    public String toString() {
        return "BuildRequest[kind=" + kind.wireName() + ", image=" + image + ", builder="
                + builder.map(ImageReference::toString).orElse("")
                + ", runImage=" + runImage.map(ImageReference::toString).orElse("")
                + ", env=" + new java.util.TreeSet<>(env.keySet()) + ", buildpacks=" + buildpacks + ", tags=" + tags
                + ", trustBuilder=" + trustBuilder + ", clearCache=" + clearCache + ", network=" + network.wireName()
                + ", timeout=" + timeout.map(Duration::toString).orElse("default")
                + ", registryAuth=" + (registryAuth.isPresent() ? "***" : "none") + ", resources=" + resources
                + ", imageScope=" + imageScope + ", options=" + options
                + ", pullPolicy=" + pullPolicy.wireName()
                + ", bindings=" + new java.util.TreeSet<>(bindings.keySet()) + "]";
    }
}
