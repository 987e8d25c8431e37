package dev.locald.lifecycle;

import dev.locald.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a builder's {@code io.buildpacks.builder.metadata} label (contract §3.3) that the platform
 * logic needs: the lifecycle's platform APIs, the buildpacks the builder holds and its run images.
 *
 * @param lifecycleVersion   {@code lifecycle.version}, for messages only
 * @param supportedApis      {@code lifecycle.apis.platform.supported} (may be empty on old builders)
 * @param deprecatedApis     {@code lifecycle.apis.platform.deprecated}
 * @param legacyApi          {@code lifecycle.api.platform}, the single version old builders advertise
 * @param buildpacks         {@code buildpacks[]} as id@version
 * @param runImages          {@code images[]} followed by the legacy {@code stack.runImage}, as pack reads them
 */
public record BuilderMetadata(
        Optional<String> lifecycleVersion,
        List<PlatformApi> supportedApis,
        List<PlatformApi> deprecatedApis,
        Optional<PlatformApi> legacyApi,
        List<BuildpackRef> buildpacks,
        List<RunImageEntry> runImages) {

    public static final String LABEL = "io.buildpacks.builder.metadata";
    private static final ObjectMapper JSON = Json.PLAIN;

    public BuilderMetadata {
        supportedApis = List.copyOf(supportedApis);
        deprecatedApis = List.copyOf(deprecatedApis);
        buildpacks = List.copyOf(buildpacks);
        runImages = List.copyOf(runImages);
    }

    /**
     * Reads the label from an image's labels. {@code builderName} only names the image in errors.
     *
     * @throws IllegalArgumentException when the label is missing or is not the JSON shape pack writes
     */
    public static BuilderMetadata fromLabels(String builderName, Map<String, String> labels) {
        String json = labels == null ? null : labels.get(LABEL);
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("builder " + builderName + " has no " + LABEL
                    + " label, so it is not a Cloud Native Buildpacks builder");
        }
        return parse(builderName, json);
    }

    public static BuilderMetadata parse(String builderName, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("builder " + builderName + ": label " + LABEL + " is not valid JSON", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("builder " + builderName + ": label " + LABEL + " is not a JSON object");
        }
        String where = "builder " + builderName + ": label " + LABEL;
        JsonNode lifecycle = root.path("lifecycle");
        Optional<String> version = text(lifecycle.path("version"));
        JsonNode platformApis = lifecycle.path("apis").path("platform");
        List<PlatformApi> supported = apiList(platformApis.path("supported"), where + " lifecycle.apis.platform.supported");
        List<PlatformApi> deprecated = apiList(platformApis.path("deprecated"), where + " lifecycle.apis.platform.deprecated");
        Optional<PlatformApi> legacy = text(lifecycle.path("api").path("platform"))
                .map(v -> api(v, where + " lifecycle.api.platform"));

        List<BuildpackRef> buildpacks = new ArrayList<>();
        for (JsonNode bp : root.path("buildpacks")) {
            Optional<String> id = text(bp.path("id"));
            if (id.isEmpty()) {
                continue; // an entry without an id cannot be referenced from an order anyway
            }
            buildpacks.add(new BuildpackRef(id.get(), text(bp.path("version"))));
        }

        List<RunImageEntry> runImages = new ArrayList<>();
        for (JsonNode img : root.path("images")) {
            text(img.path("image")).ifPresent(i -> runImages.add(new RunImageEntry(i, strings(img.path("mirrors")))));
        }
        JsonNode legacyRun = root.path("stack").path("runImage");
        text(legacyRun.path("image")).ifPresent(i -> runImages.add(new RunImageEntry(i, strings(legacyRun.path("mirrors")))));
        return new BuilderMetadata(version, supported, deprecated, legacy, buildpacks, runImages);
    }

    private static List<PlatformApi> apiList(JsonNode node, String where) {
        List<PlatformApi> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " is not a list");
        }
        for (JsonNode v : node) {
            out.add(api(v.asText(), where));
        }
        return out;
    }

    private static PlatformApi api(String value, String where) {
        try {
            return PlatformApi.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : node) {
            if (v.isTextual() && !v.asText().isBlank()) {
                out.add(v.asText());
            }
        }
        return out;
    }
}
