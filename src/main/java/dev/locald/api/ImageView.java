package dev.locald.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.LifecycleApis;
import dev.locald.pull.CachedImage;
import dev.locald.pull.CachedLayer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cached image as {@code POST /images} and {@code GET /images/{digest}} show it, in the spirit of
 * {@code pack builder inspect}: manifest, platform, layers and sizes, the config's user, env and labels,
 * and what a CNB builder or lifecycle image says about itself. A builder or lifecycle label that cannot be
 * read leaves {@code builder} / {@code lifecycle} out and says why in {@code warnings}; a pull adds there the
 * entries its layers dropped (device nodes, FIFOs), bounded by the puller.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageView(
        String reference,
        List<String> references,
        String digest,
        String configDigest,
        String platform,
        int layerCount,
        List<LayerView> layers,
        long size,
        long extractedSize,
        ConfigView config,
        BuilderView builder,
        LifecycleView lifecycle,
        List<String> warnings,
        Instant pulledAt,
        Instant lastUsed,
        boolean inUse) {

    /** One layer: the compressed blob, its diffId and how much it takes extracted. */
    public record LayerView(
            String digest,
            String diffId,
            long size,
            String mediaType,
            long extractedSize,
            boolean blobStored,
            boolean extracted) {
        static LayerView of(CachedLayer l) {
            return new LayerView(
                    l.descriptor().digest().toString(),
                    l.descriptor().diffId().toString(),
                    l.descriptor().size(),
                    l.descriptor().mediaType(),
                    l.extractedSize(),
                    l.blobStored(),
                    l.extracted());
        }
    }

    public record ConfigView(
            String user,
            List<String> env,
            Map<String, String> labels,
            String workingDir,
            List<String> entrypoint,
            List<String> cmd) {
        static ConfigView of(ImageConfig c) {
            return new ConfigView(c.user(), c.env(), c.labels(), c.workingDir(), c.entrypoint(), c.cmd());
        }
    }

    public record Versions(List<String> supported, List<String> deprecated) {}

    public record ApisView(Versions platform, Versions buildpack) {
        static ApisView of(LifecycleApis a) {
            return new ApisView(
                    new Versions(a.platformSupported(), a.platformDeprecated()),
                    new Versions(a.buildpackSupported(), a.buildpackDeprecated()));
        }
    }

    public record RunImageView(String image, List<String> mirrors) {}

    public record BuildpackView(String id, String version) {}

    /**
     * @param platformApis every Platform API the builder's lifecycle accepts (deprecated and supported, or
     *                     the single legacy {@code lifecycle.api.platform})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BuilderView(
            int cnbUserId,
            int cnbGroupId,
            String lifecycleVersion,
            List<String> platformApis,
            ApisView lifecycleApis,
            List<RunImageView> runImages,
            List<BuildpackView> buildpacks,
            String stackId) {
        static BuilderView of(BuilderMetadata m) {
            return new BuilderView(
                    m.user().uid(),
                    m.user().gid(),
                    m.lifecycleVersion(),
                    List.copyOf(m.platformApis()),
                    ApisView.of(m.apis()),
                    m.runImages().stream()
                            .map(r -> new RunImageView(r.image(), r.mirrors()))
                            .toList(),
                    m.buildpacks().stream()
                            .map(b -> new BuildpackView(b.id(), b.version()))
                            .toList(),
                    m.stackId().orElse(null));
        }
    }

    /** What a lifecycle image ({@code io.buildpacks.lifecycle.apis}) supports. */
    public record LifecycleView(List<String> platformApis, ApisView apis) {
        static LifecycleView of(LifecycleApis a) {
            return new LifecycleView(List.copyOf(a.platformApis()), ApisView.of(a));
        }
    }

    /** @param asked the reference the request named (for a pull), or null to show the latest one pulled */
    public static ImageView of(CachedImage image, ImageReference asked) {
        return of(image, asked, List.of());
    }

    /** @param pullWarnings what the pull dropped from the layers it extracted (device nodes, FIFOs) */
    public static ImageView of(CachedImage image, ImageReference asked, List<String> pullWarnings) {
        ImageConfig config = image.config();
        List<String> warnings = new ArrayList<>(pullWarnings);
        BuilderView builder = null;
        if (config.label(BuilderMetadata.LABEL).isPresent()) {
            try {
                builder = BuilderView.of(BuilderMetadata.from(config));
            } catch (IllegalArgumentException e) {
                warnings.add("the image has the builder label but is not a usable CNB builder: " + e.getMessage());
            }
        }
        LifecycleView lifecycle = null;
        if (config.label(LifecycleApis.LIFECYCLE_IMAGE_LABEL).isPresent()) {
            try {
                lifecycle = LifecycleView.of(LifecycleApis.fromLifecycleImage(config));
            } catch (IllegalArgumentException e) {
                warnings.add("the image has the lifecycle label but it cannot be read: " + e.getMessage());
            }
        }
        List<String> references =
                image.references().stream().map(ImageReference::toString).toList();
        String reference = asked != null ? asked.toString() : references.isEmpty() ? null : references.get(0);
        return new ImageView(
                reference,
                references,
                image.manifestDigest().toString(),
                image.configDigest().toString(),
                image.platform(),
                image.layers().size(),
                image.layers().stream().map(LayerView::of).toList(),
                image.compressedSize(),
                image.extractedSize(),
                ConfigView.of(config),
                builder,
                lifecycle,
                warnings.isEmpty() ? null : warnings,
                image.pulledAt(),
                image.lastUsed(),
                image.inUse());
    }
}
