package dev.locald.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.locald.image.BuilderMetadata;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads run images from a {@code run.toml} ({@code [[images]] image mirrors}) or the legacy
 * {@code stack.toml} ({@code [run-image] image mirrors}): the reader side of {@link RunToml}, which only
 * tests need (locald takes a builder's run images from its label).
 */
final class RunImages {
    private static final TomlMapper TOML = new TomlMapper();

    private RunImages() {}

    static List<BuilderMetadata.RunImage> fromRunToml(String toml) {
        JsonNode root = read(toml, "run.toml");
        List<BuilderMetadata.RunImage> out = new ArrayList<>();
        JsonNode images = root.path("images");
        if (!images.isMissingNode() && !images.isArray()) {
            throw new IllegalArgumentException("run.toml: 'images' is not an array of tables");
        }
        for (JsonNode img : images) {
            out.add(entry(img, "run.toml [[images]]"));
        }
        return out;
    }

    static List<BuilderMetadata.RunImage> fromStackToml(String toml) {
        JsonNode runImage = read(toml, "stack.toml").path("run-image");
        if (runImage.isMissingNode()) {
            return List.of();
        }
        return List.of(entry(runImage, "stack.toml [run-image]"));
    }

    private static BuilderMetadata.RunImage entry(JsonNode node, String where) {
        JsonNode image = node.path("image");
        if (!image.isTextual() || image.asText().isBlank()) {
            throw new IllegalArgumentException(where + " has an entry without an image");
        }
        List<String> mirrors = new ArrayList<>();
        JsonNode m = node.path("mirrors");
        if (!m.isMissingNode() && !m.isArray()) {
            throw new IllegalArgumentException(where + " image " + image.asText() + ": 'mirrors' is not an array");
        }
        for (JsonNode v : m) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new IllegalArgumentException(
                        where + " image " + image.asText() + " has an empty or non-string mirror");
            }
            mirrors.add(v.asText());
        }
        return new BuilderMetadata.RunImage(image.asText(), mirrors);
    }

    private static JsonNode read(String toml, String what) {
        try {
            JsonNode node = TOML.readTree(toml == null ? "" : toml);
            return node == null ? TOML.createObjectNode() : node;
        } catch (IOException e) {
            // Jackson's message may quote the document; name the location only.
            throw new IllegalArgumentException(what + " is not valid TOML" + TomlErrors.location(e));
        }
    }
}
