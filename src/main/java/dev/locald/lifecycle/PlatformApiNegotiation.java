package dev.locald.lifecycle;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.ImageConfig;
import dev.locald.image.LifecycleApis;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Picks the Platform API a build runs at (docs/lifecycle.md, pack's {@code FindLatestSupported}): the highest
 * version locald supports that the builder's lifecycle advertises (supported ∪ deprecated, or the legacy
 * single {@code lifecycle.api.platform}), intersected with the lifecycle image's
 * {@code io.buildpacks.lifecycle.apis} when the credentialed phases come from that image.
 */
public final class PlatformApiNegotiation {

    /** What locald implements, lowest first. */
    public static final List<PlatformApi> LOCALD_SUPPORTED =
            List.of(new PlatformApi(0, 12), new PlatformApi(0, 13), new PlatformApi(0, 14), PlatformApi.EXEC_ENV);

    /** Label of a lifecycle image (buildpacksio/lifecycle) listing its APIs. */
    public static final String LIFECYCLE_APIS_LABEL = LifecycleApis.LIFECYCLE_IMAGE_LABEL;

    private PlatformApiNegotiation() {}

    /** Negotiates for a builder alone (trusted builders, or untrusted ones whose own lifecycle is used). */
    public static PlatformApi negotiate(String builderName, BuilderMetadata builder) {
        TreeSet<PlatformApi> offered = builderApis(builderName, builder);
        return highestCommon(offered)
                .orElseThrow(() -> new IncompatiblePlatformApiException(
                        "builder " + builderName + "'s lifecycle" + version(builder) + " supports platform APIs "
                                + range(offered) + "; locald needs one of " + range(LOCALD_SUPPORTED)));
    }

    /**
     * Negotiates when analyzer, restorer and exporter run from a separate lifecycle image: the version
     * must suit both lifecycles, since every phase gets the same {@code CNB_PLATFORM_API}.
     */
    public static PlatformApi negotiate(
            String builderName, BuilderMetadata builder, String lifecycleImageName, ImageConfig lifecycleImage) {
        TreeSet<PlatformApi> fromBuilder = builderApis(builderName, builder);
        TreeSet<PlatformApi> fromImage = lifecycleImageApis(lifecycleImageName, lifecycleImage);
        TreeSet<PlatformApi> both = new TreeSet<>(fromBuilder);
        both.retainAll(fromImage);
        return highestCommon(both)
                .orElseThrow(() -> new IncompatiblePlatformApiException(
                        "builder " + builderName + "'s lifecycle" + version(builder) + " supports platform APIs "
                                + range(fromBuilder) + " and lifecycle image " + lifecycleImageName + " supports "
                                + range(fromImage) + "; locald needs one of " + range(LOCALD_SUPPORTED)
                                + " supported by both"));
    }

    /** Negotiates for a rebase, whose only phase runs from the lifecycle image: its label alone counts. */
    public static PlatformApi negotiate(String lifecycleImageName, ImageConfig lifecycleImage) {
        TreeSet<PlatformApi> offered = lifecycleImageApis(lifecycleImageName, lifecycleImage);
        return highestCommon(offered)
                .orElseThrow(() -> new IncompatiblePlatformApiException("lifecycle image " + lifecycleImageName
                        + " supports platform APIs " + range(offered) + "; locald needs one of "
                        + range(LOCALD_SUPPORTED)));
    }

    /** The APIs a lifecycle image advertises in {@value #LIFECYCLE_APIS_LABEL} (supported ∪ deprecated). */
    static TreeSet<PlatformApi> lifecycleImageApis(String imageName, ImageConfig config) {
        if (config.label(LIFECYCLE_APIS_LABEL).filter(l -> !l.isBlank()).isEmpty()) {
            throw new IncompatiblePlatformApiException("lifecycle image " + imageName + " has no "
                    + LIFECYCLE_APIS_LABEL + " label, so its platform APIs are unknown");
        }
        TreeSet<PlatformApi> out;
        try {
            out = parse(LifecycleApis.fromLifecycleImage(config).platformApis());
        } catch (IllegalArgumentException e) {
            throw new IncompatiblePlatformApiException("lifecycle image " + imageName + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new IncompatiblePlatformApiException(
                    "lifecycle image " + imageName + ": label " + LIFECYCLE_APIS_LABEL + " lists no platform API");
        }
        return out;
    }

    private static TreeSet<PlatformApi> parse(Set<String> versions) {
        TreeSet<PlatformApi> out = new TreeSet<>();
        versions.forEach(v -> out.add(PlatformApi.parse(v)));
        return out;
    }

    private static TreeSet<PlatformApi> builderApis(String builderName, BuilderMetadata builder) {
        // platformApis() falls back to the single legacy version of builders made before lifecycle.apis existed
        TreeSet<PlatformApi> offered = parse(builder.platformApis());
        if (offered.isEmpty()) {
            throw new IncompatiblePlatformApiException(
                    "builder " + builderName + "'s " + BuilderMetadata.LABEL
                            + " label names no platform API (lifecycle.apis.platform is empty), so locald cannot run its lifecycle");
        }
        return offered;
    }

    private static Optional<PlatformApi> highestCommon(Collection<PlatformApi> offered) {
        List<PlatformApi> mine = new ArrayList<>(LOCALD_SUPPORTED);
        mine.sort(Comparator.reverseOrder());
        return mine.stream().filter(offered::contains).findFirst();
    }

    private static String version(BuilderMetadata builder) {
        return builder.lifecycleVersion().isEmpty() ? "" : " (" + builder.lifecycleVersion() + ")";
    }

    /** "0.3–0.9", or "0.7" for a single version. */
    static String range(Collection<PlatformApi> apis) {
        TreeSet<PlatformApi> sorted = new TreeSet<>(apis);
        return sorted.size() == 1 ? sorted.first().toString() : sorted.first() + "–" + sorted.last();
    }
}
