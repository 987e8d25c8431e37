package dev.locald.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a rebase needs from the labels of a published CNB app image: the run image its metadata names (with
 * its mirrors; the rebaser takes the best of them when the request names no new run image) and the lifecycle
 * version that exported it (its launcher's), for the lifecycle image name (docs/lifecycle.md, "Rebase").
 *
 * @param runImages the run image and its mirrors, from {@code runImage} and the older {@code stack.runImage};
 *     empty when the metadata names none (the rebaser then needs {@code runImage})
 * @param lifecycleVersion {@code launcher.version} of {@value #BUILD_LABEL}; empty when the image names none
 */
public record AppImageMetadata(List<String> runImages, String lifecycleVersion) {

    /** The lifecycle's layer metadata: every image a lifecycle exported has it. */
    public static final String LABEL = "io.buildpacks.lifecycle.metadata";

    public static final String BUILD_LABEL = "io.buildpacks.build.metadata";

    public AppImageMetadata {
        runImages = List.copyOf(runImages);
    }

    /** Reads the labels; an image without {@value #LABEL} is no CNB app image and cannot be rebased. */
    public static AppImageMetadata from(ImageConfig config) {
        String label = config.label(LABEL)
                .orElseThrow(() -> new IllegalArgumentException("it is not an image a CNB lifecycle exported: it has"
                        + " no label " + LABEL + ", so there is nothing to rebase"));
        JsonNode root = LabelJson.parse(label, LABEL);
        if (!root.isObject()) {
            throw new IllegalArgumentException("label " + LABEL + " is not a JSON object");
        }
        Set<String> runImages = new LinkedHashSet<>();
        addImageAndMirrors(root.path("runImage"), runImages);
        addImageAndMirrors(root.path("stack").path("runImage"), runImages);
        String version = "";
        String build = config.label(BUILD_LABEL).orElse(null);
        if (build != null) {
            JsonNode v = LabelJson.parse(build, BUILD_LABEL).path("launcher").path("version");
            version = v.isTextual() ? v.textValue() : "";
        }
        return new AppImageMetadata(new ArrayList<>(runImages), version);
    }

    private static void addImageAndMirrors(JsonNode runImage, Set<String> into) {
        JsonNode image = runImage.path("image");
        if (image.isTextual() && !image.textValue().isBlank()) {
            into.add(image.textValue());
        }
        for (JsonNode mirror : runImage.path("mirrors")) {
            if (mirror.isTextual() && !mirror.textValue().isBlank()) {
                into.add(mirror.textValue());
            }
        }
    }
}
