package dev.locald.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a CNB builder image says about itself, read strictly for the images API and for builds alike: the
 * label {@code io.buildpacks.builder.metadata} (lifecycle version and APIs, buildpacks, run images), the
 * deprecated {@code io.buildpacks.stack.id}, and the CNB user from {@code CNB_USER_ID}/{@code CNB_GROUP_ID}
 * in the config env (both required, as pack requires). A field of the wrong JSON type is refused with a
 * sentence naming it, never skipped.
 *
 * @param lifecycleVersion  {@code lifecycle.version}, empty when absent
 * @param apis              {@code lifecycle.apis}; empty lists when the builder only has the legacy form
 * @param legacyPlatformApi {@code lifecycle.api.platform}, the single version older builders advertise
 * @param buildpacks        {@code buildpacks[]}
 * @param runImages         {@code images[]} followed by the legacy {@code stack.runImage}, as pack orders them;
 *                          the first is the default
 * @param stackId           label {@code io.buildpacks.stack.id}
 * @param user              {@code CNB_USER_ID}/{@code CNB_GROUP_ID}
 */
public record BuilderMetadata(
        String lifecycleVersion,
        LifecycleApis apis,
        Optional<String> legacyPlatformApi,
        List<Buildpack> buildpacks,
        List<RunImage> runImages,
        Optional<String> stackId,
        CnbUser user) {

    public static final String LABEL = "io.buildpacks.builder.metadata";
    public static final String STACK_ID_LABEL = "io.buildpacks.stack.id";

    /** A buildpack the builder ships. */
    public record Buildpack(String id, String version, String homepage) {}

    /** A run image and its mirrors on other registries (also an entry of the platform's run.toml). */
    public record RunImage(String image, List<String> mirrors) {
        public RunImage {
            if (image == null || image.isBlank()) {
                throw new IllegalArgumentException("a run image entry needs an image");
            }
            mirrors = List.copyOf(mirrors);
        }
    }

    public BuilderMetadata {
        buildpacks = List.copyOf(buildpacks);
        runImages = List.copyOf(runImages);
    }

    /** Reads the builder's labels and env; throws naming the label or variable that is missing or broken. */
    public static BuilderMetadata from(ImageConfig config) {
        String label = config.label(LABEL)
                .orElseThrow(
                        () -> new IllegalArgumentException("image is not a CNB builder: it has no label " + LABEL));
        JsonNode root = LabelJson.parse(label, LABEL);
        if (!root.isObject()) {
            throw new IllegalArgumentException("label " + LABEL + " is not a JSON object");
        }
        JsonNode lifecycle = root.path("lifecycle");
        String version =
                optionalText(lifecycle, "version", LABEL + " lifecycle").orElse("");
        JsonNode apisNode = lifecycle.path("apis");
        LifecycleApis apis = apisNode.isMissingNode() || apisNode.isNull()
                ? new LifecycleApis(List.of(), List.of(), List.of(), List.of())
                : LifecycleApis.fromJson(apisNode, LABEL + " lifecycle.apis");
        Optional<String> legacy = optionalText(lifecycle.path("api"), "platform", LABEL + " lifecycle.api")
                .map(v -> LifecycleApis.checkVersion(v, LABEL + " lifecycle.api.platform"));

        List<Buildpack> buildpacks = new ArrayList<>();
        for (JsonNode bp : array(root, "buildpacks", LABEL)) {
            String id = optionalText(bp, "id", LABEL + " buildpacks[]")
                    .orElseThrow(
                            () -> new IllegalArgumentException("label " + LABEL + " lists a buildpack without an id"));
            buildpacks.add(new Buildpack(
                    id,
                    optionalText(bp, "version", LABEL + " buildpacks[]").orElse(""),
                    optionalText(bp, "homepage", LABEL + " buildpacks[]").orElse("")));
        }
        List<RunImage> runImages = new ArrayList<>();
        for (JsonNode image : array(root, "images", LABEL)) {
            runImage(image, LABEL + " images[]").ifPresent(runImages::add);
        }
        JsonNode legacyRun = root.path("stack").path("runImage");
        if (legacyRun.isObject()) {
            runImage(legacyRun, LABEL + " stack.runImage").ifPresent(runImages::add);
        }
        return new BuilderMetadata(
                version,
                apis,
                legacy,
                buildpacks,
                runImages,
                config.label(STACK_ID_LABEL).filter(s -> !s.isBlank()),
                CnbUser.fromImageEnv("image", config.env()));
    }

    /**
     * Every Platform API the builder's lifecycle accepts: deprecated ∪ supported from {@code lifecycle.apis},
     * or the single legacy {@code lifecycle.api.platform} when the builder has no {@code apis}.
     */
    public Set<String> platformApis() {
        Set<String> all = apis.platformApis();
        if (all.isEmpty()) {
            return legacyPlatformApi.map(Set::of).orElse(Set.of());
        }
        return new LinkedHashSet<>(all);
    }

    /** The default run image (the first listed), if the builder names one. */
    public Optional<RunImage> defaultRunImage() {
        return runImages.isEmpty() ? Optional.empty() : Optional.of(runImages.get(0));
    }

    private static Optional<RunImage> runImage(JsonNode node, String where) {
        Optional<String> image = optionalText(node, "image", where);
        if (image.isEmpty() || image.get().isBlank()) {
            return Optional.empty();
        }
        List<String> mirrors = new ArrayList<>();
        for (JsonNode mirror : array(node, "mirrors", where)) {
            if (!mirror.isTextual()) {
                throw new IllegalArgumentException(where + " mirrors holds a non-string " + mirror);
            }
            if (!mirror.asText().isBlank()) {
                mirrors.add(mirror.asText()); // an empty mirror names no registry; pack skips it too
            }
        }
        return Optional.of(new RunImage(image.get(), mirrors));
    }

    private static Iterable<JsonNode> array(JsonNode parent, String field, String where) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " field '" + field + "' is not an array");
        }
        return node;
    }

    private static Optional<String> optionalText(JsonNode parent, String field, String where) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(where + " field '" + field + "' is not a string");
        }
        return Optional.of(node.asText());
    }
}
