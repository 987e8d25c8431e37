package dev.locald.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Platform and Buildpack API versions a lifecycle supports, as advertised by the {@code apis} object of
 * the builder label {@code io.buildpacks.builder.metadata} or by the lifecycle image label
 * {@code io.buildpacks.lifecycle.apis}: {@code {"buildpack":{"deprecated":[…],"supported":[…]},
 * "platform":{…}}}.
 */
public record LifecycleApis(
        List<String> platformSupported,
        List<String> platformDeprecated,
        List<String> buildpackSupported,
        List<String> buildpackDeprecated) {

    /** The label a lifecycle image carries. */
    public static final String LIFECYCLE_IMAGE_LABEL = "io.buildpacks.lifecycle.apis";

    private static final Pattern VERSION = Pattern.compile("(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})");

    public LifecycleApis {
        platformSupported = List.copyOf(platformSupported);
        platformDeprecated = List.copyOf(platformDeprecated);
        buildpackSupported = List.copyOf(buildpackSupported);
        buildpackDeprecated = List.copyOf(buildpackDeprecated);
    }

    /** Reads the {@code io.buildpacks.lifecycle.apis} label of a lifecycle image. */
    public static LifecycleApis fromLifecycleImage(ImageConfig config) {
        String label = config.label(LIFECYCLE_IMAGE_LABEL)
                .orElseThrow(
                        () -> new IllegalArgumentException("lifecycle image has no label " + LIFECYCLE_IMAGE_LABEL));
        return fromJson(LabelJson.parse(label, LIFECYCLE_IMAGE_LABEL), LIFECYCLE_IMAGE_LABEL);
    }

    static LifecycleApis fromJson(JsonNode apis, String where) {
        if (!apis.isObject()) {
            throw new IllegalArgumentException(where + " is not a JSON object");
        }
        return new LifecycleApis(
                versions(apis.path("platform"), "supported", where + " platform"),
                versions(apis.path("platform"), "deprecated", where + " platform"),
                versions(apis.path("buildpack"), "supported", where + " buildpack"),
                versions(apis.path("buildpack"), "deprecated", where + " buildpack"));
    }

    /** Every Platform API version the lifecycle accepts: deprecated ∪ supported, in label order. */
    public Set<String> platformApis() {
        Set<String> all = new LinkedHashSet<>(platformDeprecated);
        all.addAll(platformSupported);
        return all;
    }

    static String checkVersion(String version, String where) {
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException(
                    where + " holds an invalid API version '" + version + "' (want <major>.<minor>)");
        }
        return version;
    }

    private static List<String> versions(JsonNode parent, String field, String where) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(where + " '" + field + "' is not an array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(where + " '" + field + "' holds a non-string " + item);
            }
            out.add(checkVersion(item.asText(), where + " '" + field + "'"));
        }
        return out;
    }
}
