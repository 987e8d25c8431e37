package dev.locald.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an OCI / Docker image config that locald acts on. Parsed from the raw config bytes (not
 * through jib, whose model loses env order and media types); env keeps the image's order because later
 * entries override earlier ones.
 *
 * @param env          {@code NAME=value} entries in image order
 * @param user         {@code config.User}, empty when unset
 * @param workingDir   {@code config.WorkingDir}, empty when unset
 * @param entrypoint   {@code config.Entrypoint}, empty when unset
 * @param cmd          {@code config.Cmd}, empty when unset
 * @param labels       {@code config.Labels} in document order
 * @param diffIds      {@code rootfs.diff_ids}, bottom layer first
 * @param os           {@code os}
 * @param architecture {@code architecture}
 */
public record ImageConfig(
        List<String> env,
        String user,
        String workingDir,
        List<String> entrypoint,
        List<String> cmd,
        Map<String, String> labels,
        List<Digest> diffIds,
        String os,
        String architecture) {

    private static final ObjectMapper JSON = Json.PLAIN;

    public ImageConfig {
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        diffIds = List.copyOf(diffIds);
        user = user == null ? "" : user;
        workingDir = workingDir == null ? "" : workingDir;
        os = os == null ? "" : os;
        architecture = architecture == null ? "" : architecture;
    }

    /** Parses a config blob; throws {@link IllegalArgumentException} naming the field that is malformed. */
    public static ImageConfig parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("image config is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("image config could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("image config is not a JSON object");
        }
        JsonNode config = root.path("config");
        if (!config.isMissingNode() && !config.isNull() && !config.isObject()) {
            throw new IllegalArgumentException("image config field 'config' is not an object");
        }
        JsonNode rootfs = root.path("rootfs");
        if (!rootfs.isObject()) {
            throw new IllegalArgumentException("image config has no 'rootfs' object");
        }
        if (!"layers".equals(rootfs.path("type").asText(null))) {
            throw new IllegalArgumentException(
                    "image config 'rootfs.type' must be \"layers\", got " + rootfs.path("type"));
        }
        List<Digest> diffIds = new ArrayList<>();
        for (String text : strings(rootfs, "diff_ids", "rootfs.diff_ids")) {
            try {
                diffIds.add(Digest.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "image config 'rootfs.diff_ids' holds an unsupported digest '" + text + "'");
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode labelNode = config.path("Labels");
        if (labelNode.isObject()) {
            labelNode.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("image config label '" + e.getKey() + "' is not a string");
                }
                labels.put(e.getKey(), e.getValue().asText());
            });
        } else if (!labelNode.isMissingNode() && !labelNode.isNull()) {
            throw new IllegalArgumentException("image config field 'config.Labels' is not an object");
        }
        return new ImageConfig(
                strings(config, "Env", "config.Env"),
                text(config, "User", "config.User"),
                text(config, "WorkingDir", "config.WorkingDir"),
                strings(config, "Entrypoint", "config.Entrypoint"),
                strings(config, "Cmd", "config.Cmd"),
                labels,
                diffIds,
                text(root, "os", "os"),
                text(root, "architecture", "architecture"));
    }

    /**
     * Why {@code workingDir} must not become a container's cwd, empty when it may (or is unset). runc
     * enters the cwd before the image's root is fully its own, so a WorkingDir such as {@code /proc/self/fd/7}
     * reached the host (CVE-2024-21626); only clean absolute paths outside /proc, /sys and /dev are taken.
     */
    public static Optional<String> workingDirProblem(String workingDir) {
        if (workingDir.isEmpty()) {
            return Optional.empty();
        }
        if (workingDir.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return Optional.of("contains a control character");
        }
        if (!workingDir.startsWith("/")) {
            return Optional.of("is not an absolute path");
        }
        if (workingDir.length() > 4096) {
            return Optional.of("is longer than 4096 characters");
        }
        String trimmed = workingDir.length() > 1 && workingDir.endsWith("/")
                ? workingDir.substring(0, workingDir.length() - 1)
                : workingDir;
        if (trimmed.contains("//")) {
            return Optional.of("is not a clean path (it contains //)");
        }
        for (String part : trimmed.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                return Optional.of("is not a clean path (it contains a '" + part + "' component)");
            }
        }
        for (String kernel : List.of("/proc", "/sys", "/dev")) {
            if (trimmed.equals(kernel) || trimmed.startsWith(kernel + "/")) {
                return Optional.of("is inside " + kernel + ", which the runtime provides, not the image");
            }
        }
        return Optional.empty();
    }

    /** The cwd of the image's processes: its WorkingDir when that is safe (see above), else {@code /}. */
    public static String containerWorkingDir(String workingDir) {
        if (workingDir.isEmpty() || workingDirProblem(workingDir).isPresent()) {
            return "/";
        }
        return workingDir.length() > 1 && workingDir.endsWith("/")
                ? workingDir.substring(0, workingDir.length() - 1)
                : workingDir;
    }

    /** The first {@code Env} entry a container's process env cannot hold, with what is wrong with it. */
    public Optional<String> invalidEnvEntry() {
        for (String entry : env) {
            Optional<String> problem = EnvList.problem(entry);
            if (problem.isPresent()) {
                return Optional.of("'" + EnvList.printable(entry) + "' " + problem.get());
            }
        }
        return Optional.empty();
    }

    /** The label's value, if the image has it. */
    public Optional<String> label(String key) {
        return Optional.ofNullable(labels.get(key));
    }

    private static List<String> strings(JsonNode parent, String field, String path) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("image config field '" + path + "' is not an array");
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("image config field '" + path + "' holds a non-string " + item);
            }
            out.add(item.asText());
        }
        return out;
    }

    private static String text(JsonNode parent, String field, String path) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return "";
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("image config field '" + path + "' is not a string");
        }
        return node.asText();
    }
}
