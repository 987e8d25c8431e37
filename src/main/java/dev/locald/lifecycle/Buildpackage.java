package dev.locald.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.Digest;
import dev.locald.image.ImageConfig;
import dev.locald.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A buildpackage image, the buildpack a request names as {@code docker://<image>} (pack's form): its label
 * {@value #METADATA_LABEL} names the top buildpack ({@code id}, {@code version}), and its label
 * {@value #LAYERS_LABEL} maps every buildpack it holds, id → version → {@code layerDiffID}, to the layer that
 * holds {@code /cnb/buildpacks/<id with / as _>/<version>} (docs/api.md, "Buildpacks from images"). Both labels
 * are read strictly: a missing or malformed one, or a layer the image does not have, refuses the image with a
 * sentence naming it.
 *
 * @param image      the reference as the request or project.toml wrote it, for sentences
 * @param top        the buildpack the order runs (a meta-buildpack's own order is the lifecycle's to resolve)
 * @param buildpacks every buildpack the image holds (the top one among them)
 * @param layers     the diffIDs of the layers holding them, in the image's order (bottom first), each once
 */
public record Buildpackage(
        String image, BuildpackRef top, List<BuilderMetadata.Buildpack> buildpacks, List<Digest> layers) {

    /** How a request or project.toml names a buildpack of an image. */
    public static final String DOCKER_PREFIX = "docker://";

    public static final String METADATA_LABEL = "io.buildpacks.buildpackage.metadata";
    public static final String LAYERS_LABEL = "io.buildpacks.buildpack.layers";

    public Buildpackage {
        buildpacks = List.copyOf(buildpacks);
        layers = List.copyOf(layers);
    }

    /** Whether a buildpack entry names an image ({@code docker://…}). */
    public static boolean isImage(String entry) {
        return entry != null && entry.startsWith(DOCKER_PREFIX);
    }

    /**
     * Reads the image's labels.
     *
     * @throws IllegalArgumentException with a sentence naming {@code image} and what is wrong
     */
    public static Buildpackage from(String image, ImageConfig config) {
        String what = "the buildpack image " + image;
        JsonNode metadata = label(what, config, METADATA_LABEL);
        BuildpackRef top = ref(what, METADATA_LABEL, metadata.path("id"), metadata.path("version"));
        JsonNode byId = label(what, config, LAYERS_LABEL);
        Set<Digest> named = new LinkedHashSet<>();
        List<BuilderMetadata.Buildpack> buildpacks = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> ids = byId.fields(); ids.hasNext(); ) {
            Map.Entry<String, JsonNode> id = ids.next();
            if (!id.getValue().isObject() || id.getValue().isEmpty()) {
                throw new IllegalArgumentException(what + " has a label " + LAYERS_LABEL + " whose entry "
                        + BuildpackRef.quote(id.getKey()) + " is not an object of versions");
            }
            for (Iterator<Map.Entry<String, JsonNode>> versions = id.getValue().fields(); versions.hasNext(); ) {
                Map.Entry<String, JsonNode> version = versions.next();
                BuildpackRef ref = ref(what, LAYERS_LABEL, id.getKey(), version.getKey());
                JsonNode diffId = version.getValue().path("layerDiffID");
                Digest digest;
                try {
                    digest = Digest.parse(diffId.isTextual() ? diffId.textValue() : "");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            what + " has a label " + LAYERS_LABEL + " whose " + ref + " has no valid layerDiffID");
                }
                if (!config.diffIds().contains(digest)) {
                    throw new IllegalArgumentException(what + " names the layer " + digest + " for buildpack " + ref
                            + " in its label " + LAYERS_LABEL + ", but the image has no such layer");
                }
                named.add(digest);
                JsonNode homepage = version.getValue().path("homepage");
                buildpacks.add(new BuilderMetadata.Buildpack(
                        ref.id(), ref.version().orElseThrow(), homepage.isTextual() ? homepage.textValue() : ""));
            }
        }
        if (buildpacks.stream()
                .noneMatch(b -> b.id().equals(top.id())
                        && b.version().equals(top.version().orElseThrow()))) {
            throw new IllegalArgumentException(what + " names " + top + " in its label " + METADATA_LABEL
                    + ", but its label " + LAYERS_LABEL + " has no layer for it");
        }
        // the image's order, so that a buildpack's layer lies above those it was packaged on
        List<Digest> layers = new ArrayList<>();
        for (Digest d : config.diffIds()) {
            if (named.contains(d) && !layers.contains(d)) {
                layers.add(d);
            }
        }
        return new Buildpackage(image, top, buildpacks, layers);
    }

    private static JsonNode label(String what, ImageConfig config, String name) {
        String text = config.label(name)
                .orElseThrow(
                        () -> new IllegalArgumentException(what + " is not a buildpackage: it has no label " + name));
        JsonNode node;
        try {
            node = Json.PLAIN.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " has a label " + name + " that is not valid JSON");
        }
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw new IllegalArgumentException(what + " has a label " + name + " that is not a non-empty JSON object");
        }
        return node;
    }

    private static BuildpackRef ref(String what, String label, JsonNode id, JsonNode version) {
        if (!id.isTextual() || !version.isTextual()) {
            throw new IllegalArgumentException(what + " has a label " + label + " without a string id and version");
        }
        return ref(what, label, id.textValue(), version.textValue());
    }

    private static BuildpackRef ref(String what, String label, String id, String version) {
        try {
            return new BuildpackRef(id, Optional.of(version));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " has a label " + label + " naming " + e.getMessage());
        }
    }
}
