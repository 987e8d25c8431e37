package dev.locald.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.locald.image.ImageReference;
import dev.locald.lifecycle.BuildpackRef;
import dev.locald.lifecycle.Buildpackage;
import dev.locald.lifecycle.RegistryBuildpack;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The app's {@code project.toml} (project descriptor schema 0.2: {@code [_]} and {@code [io.buildpacks]}; or
 * the legacy 0.1 form without {@code [_]}: {@code [project]} and {@code [build]}), as far as it concerns a build:
 * the builder, the source filter, build-time env and the buildpack groups. The buildpacks' table is read
 * strictly (an unknown key is an error naming it); every other table is ignored, as the spec allows
 * (docs/api.md, "project.toml").
 *
 * @param builder the builder reference as written (checked by the build like the request's)
 * @param group buildpacks in the request's form: {@code id[@version]}, {@code urn:cnb:builder:id[@version]} or
 *     {@code docker://<image>} or {@code urn:cnb:registry:<namespace>/<name>[@<version>]}
 */
public record ProjectDescriptor(
        Optional<String> builder,
        List<String> include,
        List<String> exclude,
        Map<String, String> env,
        List<String> group,
        List<String> pre,
        List<String> post) {

    public static final String FILE = "project.toml";
    public static final long MAX_BYTES = 1 << 20;
    public static final ProjectDescriptor NONE =
            new ProjectDescriptor(Optional.empty(), List.of(), List.of(), Map.of(), List.of(), List.of(), List.of());

    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MAX_ENV_NAME = 128;
    private static final int MAX_ENV_VALUE = 65536;
    private static final int MAX_ENV_COUNT = 256;
    private static final int MAX_PATTERNS = 1000;
    private static final int MAX_PATTERN = 4096;
    private static final String BUILDER_URN = "urn:cnb:builder:";
    private static final Set<String> IO_BUILDPACKS_KEYS =
            Set.of("builder", "include", "exclude", "group", "pre", "post", "build");
    private static final Set<String> LEGACY_BUILD_KEYS = Set.of("builder", "include", "exclude", "buildpacks", "env");

    public ProjectDescriptor {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        group = List.copyOf(group);
        pre = List.copyOf(pre);
        post = List.copyOf(post);
    }

    /** What of the source reaches the workspace. */
    public SourceFilter filter() {
        if (!include.isEmpty()) {
            return SourceFilter.include(include);
        }
        return exclude.isEmpty() ? SourceFilter.ALL : SourceFilter.exclude(exclude);
    }

    /** Parses a descriptor; the exception's sentence names the key at fault. */
    public static ProjectDescriptor parse(String toml) throws ProjectDescriptorException {
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (IOException e) {
            String where = e instanceof JsonProcessingException j && j.getLocation() != null
                    ? " (line " + j.getLocation().getLineNr() + ", column "
                            + j.getLocation().getColumnNr() + ")"
                    : "";
            // no cause text: it may quote the file
            throw new ProjectDescriptorException("project.toml: the file is not valid TOML" + where);
        }
        if (root == null || !root.isObject()) {
            return NONE;
        }
        JsonNode schema = root.get("_");
        if (schema == null) {
            return new Reader("build", true).read(root.get("build"));
        }
        if (!schema.isObject()) {
            throw new ProjectDescriptorException("project.toml: _ must be a table");
        }
        JsonNode version = schema.get("schema-version");
        if (version == null) {
            throw new ProjectDescriptorException("project.toml: _.schema-version is missing");
        }
        if (!version.isTextual() || !Set.of("0.1", "0.2").contains(version.textValue())) {
            throw new ProjectDescriptorException("project.toml: _.schema-version " + shown(version)
                    + " is not supported; locald reads schema 0.2 (and the 0.1 form without [_])");
        }
        if (version.textValue().equals("0.1")) {
            return new Reader("build", true).read(root.get("build"));
        }
        JsonNode io = root.get("io");
        JsonNode buildpacks = io != null && io.isObject() ? io.get("buildpacks") : null;
        return new Reader("io.buildpacks", false).read(buildpacks);
    }

    /** Reads the buildpacks' table, {@code io.buildpacks} (0.2) or {@code build} (0.1). */
    private record Reader(String table, boolean legacy) {

        ProjectDescriptor read(JsonNode node) throws ProjectDescriptorException {
            if (node == null) {
                return NONE;
            }
            if (!node.isObject()) {
                throw fail(table, "must be a table");
            }
            Set<String> known = legacy ? LEGACY_BUILD_KEYS : IO_BUILDPACKS_KEYS;
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key)) {
                    throw fail(
                            table + "." + printable(key),
                            "is not a known key (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                }
            }
            Optional<String> builder = Optional.empty();
            JsonNode b = node.get("builder");
            if (b != null) {
                if (!b.isTextual() || b.textValue().isBlank()) {
                    throw fail(table + ".builder", "must be a non-empty string (an image reference)");
                }
                builder = Optional.of(b.textValue());
            }
            List<String> include = patterns(node, "include");
            List<String> exclude = patterns(node, "exclude");
            if (!include.isEmpty() && !exclude.isEmpty()) {
                throw fail(table + ".include", "and " + table + ".exclude are both set; use one of them");
            }
            Map<String, String> env;
            List<String> group;
            List<String> pre = List.of();
            List<String> post = List.of();
            if (legacy) {
                env = env(node.get("env"), table + ".env");
                group = group(node.get("buildpacks"), table + ".buildpacks");
            } else {
                JsonNode build = node.get("build");
                if (build != null && !build.isObject()) {
                    throw fail(table + ".build", "must be a table");
                }
                if (build != null) {
                    for (Iterator<String> it = build.fieldNames(); it.hasNext(); ) {
                        String key = it.next();
                        if (!key.equals("env")) {
                            throw fail(table + ".build." + printable(key), "is not a known key (known: env)");
                        }
                    }
                }
                env = env(build == null ? null : build.get("env"), table + ".build.env");
                group = group(node.get("group"), table + ".group");
                pre = wrapper(node.get("pre"), table + ".pre");
                post = wrapper(node.get("post"), table + ".post");
            }
            return new ProjectDescriptor(builder, include, exclude, env, group, pre, post);
        }

        private List<String> patterns(JsonNode node, String key) throws ProjectDescriptorException {
            JsonNode list = node.get(key);
            String name = table + "." + key;
            if (list == null) {
                return List.of();
            }
            if (!list.isArray()) {
                throw fail(name, "must be an array of gitignore-style patterns");
            }
            if (list.size() > MAX_PATTERNS) {
                throw fail(name, "has " + list.size() + " patterns; at most " + MAX_PATTERNS + " are allowed");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode p = list.get(i);
                if (!p.isTextual()) {
                    throw fail(name + "[" + i + "]", "must be a string");
                }
                if (p.textValue().length() > MAX_PATTERN || p.textValue().indexOf('\0') >= 0) {
                    throw fail(
                            name + "[" + i + "]",
                            "must be a pattern of at most " + MAX_PATTERN + " characters without NUL");
                }
                out.add(p.textValue());
            }
            return out;
        }

        private Map<String, String> env(JsonNode list, String name) throws ProjectDescriptorException {
            Map<String, String> env = new LinkedHashMap<>();
            if (list == null) {
                return env;
            }
            if (!list.isArray()) {
                throw fail(name, "must be an array of tables ([[" + name + "]] with name and value)");
            }
            if (list.size() > MAX_ENV_COUNT) {
                throw fail(name, "has " + list.size() + " variables; at most " + MAX_ENV_COUNT + " are allowed");
            }
            for (int i = 0; i < list.size(); i++) {
                String at = name + "[" + i + "]";
                JsonNode e = list.get(i);
                if (!e.isObject()) {
                    throw fail(at, "must be a table with name and value");
                }
                for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!key.equals("name") && !key.equals("value")) {
                        throw fail(at + "." + printable(key), "is not a known key (known: name, value)");
                    }
                }
                String varName = text(e, "name", at);
                String value = text(e, "value", at);
                if (varName.length() > MAX_ENV_NAME
                        || !ENV_NAME.matcher(varName).matches()) {
                    throw fail(
                            at + ".name",
                            shown(e.get("name")) + " is not a valid variable name (letters, digits"
                                    + " and _, not starting with a digit, at most " + MAX_ENV_NAME + " characters)");
                }
                if (varName.toUpperCase(java.util.Locale.ROOT).startsWith("CNB_")) {
                    throw fail(at + ".name", "names a CNB_* variable; those are reserved for the lifecycle");
                }
                if (value.length() > MAX_ENV_VALUE || value.indexOf('\0') >= 0) {
                    throw fail(at + ".value", "must be at most " + MAX_ENV_VALUE + " characters without NUL");
                }
                if (env.put(varName, value) != null) {
                    throw fail(at + ".name", "sets " + varName + " a second time");
                }
            }
            return env;
        }

        /** {@code [io.buildpacks.pre]} / {@code post}: a table holding one key, {@code group}. */
        private List<String> wrapper(JsonNode node, String name) throws ProjectDescriptorException {
            if (node == null) {
                return List.of();
            }
            if (!node.isObject()) {
                throw fail(name, "must be a table with a group array ([[" + name + ".group]])");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!key.equals("group")) {
                    throw fail(name + "." + printable(key), "is not a known key (known: group)");
                }
            }
            return group(node.get("group"), name + ".group");
        }

        private List<String> group(JsonNode list, String name) throws ProjectDescriptorException {
            if (list == null) {
                return List.of();
            }
            if (!list.isArray()) {
                throw fail(name, "must be an array of tables ([[" + name + "]] with id and version, or uri)");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(entry(list.get(i), name + "[" + i + "]"));
            }
            return out;
        }

        /** One group entry in the request's form: a buildpack of the builder, or a buildpack image. */
        private String entry(JsonNode e, String at) throws ProjectDescriptorException {
            if (!e.isObject()) {
                throw fail(at, "must be a table with id and version, or uri");
            }
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (key.equals("script")) {
                    throw fail(
                            at + ".script",
                            "is an inline buildpack, which locald does not run; name a buildpack"
                                    + " of the builder by id");
                }
                if (!Set.of("id", "version", "uri").contains(key)) {
                    throw fail(at + "." + printable(key), "is not a known key (known: id, version, uri)");
                }
            }
            if (e.has("uri")) {
                String uri = text(e, "uri", at);
                if (e.has("version")) {
                    throw fail(at + ".version", "cannot be set beside uri; put the version in the uri");
                }
                String ref;
                if (uri.startsWith(BUILDER_URN)) {
                    ref = uri;
                } else if (RegistryBuildpack.isRegistry(uri)) {
                    // resolved to its image in the build, then taken like a docker:// uri
                    RegistryBuildpack named;
                    try {
                        named = RegistryBuildpack.parse(uri);
                    } catch (IllegalArgumentException bad) {
                        throw fail(
                                at + ".uri",
                                shown(e.get("uri")) + " is not a valid buildpack registry reference"
                                        + " (urn:cnb:registry:<namespace>/<name>[@<version>]): " + bad.getMessage());
                    }
                    if (e.has("id") && !text(e, "id", at).equals(named.id())) {
                        throw fail(at + ".id", "does not match the buildpack the uri names");
                    }
                    return uri;
                } else if (Buildpackage.isImage(uri)) {
                    // the build checks the registry rules (loopback, link-local) as for the builder
                    try {
                        ImageReference.parse(uri.substring(Buildpackage.DOCKER_PREFIX.length()));
                    } catch (IllegalArgumentException bad) {
                        throw fail(
                                at + ".uri",
                                shown(e.get("uri")) + " is not a valid image reference: " + bad.getMessage());
                    }
                    if (e.has("id")) {
                        throw fail(at + ".id", "cannot be set beside a docker:// uri; the image names its buildpack");
                    }
                    return uri;
                } else {
                    throw fail(
                            at + ".uri",
                            shown(e.get("uri")) + " is not a supported buildpack URI"
                                    + " (urn:cnb:builder:<id>[@version], docker://<image> or"
                                    + " urn:cnb:registry:<namespace>/<name>[@<version>])");
                }
                String idAndVersion = ref.substring(BUILDER_URN.length());
                check(at + ".uri", idAndVersion);
                if (e.has("id")
                        && !text(e, "id", at)
                                .equals(BuildpackRef.parse(idAndVersion).id())) {
                    throw fail(at + ".id", "does not match the buildpack the uri names");
                }
                return ref;
            }
            if (!e.has("id")) {
                throw fail(at + ".id", "is missing (set id, with an optional version, or uri)");
            }
            String id = text(e, "id", at);
            String ref = e.has("version") ? id + "@" + text(e, "version", at) : id;
            check(at, ref);
            return ref;
        }

        private static void check(String at, String ref) throws ProjectDescriptorException {
            try {
                BuildpackRef.parse(ref);
            } catch (IllegalArgumentException bad) {
                throw fail(at, "is not a buildpack of the builder: " + bad.getMessage());
            }
        }

        private static String text(JsonNode e, String key, String at) throws ProjectDescriptorException {
            JsonNode v = e.get(key);
            if (v == null) {
                throw fail(at + "." + key, "is missing");
            }
            if (!v.isTextual()) {
                throw fail(at + "." + key, "must be a string");
            }
            return v.textValue();
        }
    }

    private static ProjectDescriptorException fail(String key, String problem) {
        return new ProjectDescriptorException("project.toml: " + key + " " + problem);
    }

    private static String shown(JsonNode v) {
        return v.isTextual() ? BuildpackRef.quote(v.textValue()) : BuildpackRef.quote(v.toString());
    }

    private static String printable(String key) {
        String q = BuildpackRef.quote(key);
        return q.substring(1, q.length() - 1);
    }
}
