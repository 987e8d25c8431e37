package dev.locald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.builds.BuildKind;
import dev.locald.builds.BuildOptions;
import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResources;
import dev.locald.builds.ServiceBinding;
import dev.locald.builds.SourceSubmission;
import dev.locald.config.ByteSize;
import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import dev.locald.image.PullPolicy;
import dev.locald.json.Json;
import dev.locald.lifecycle.Buildpackage;
import dev.locald.lifecycle.RegistryBuildpack;
import dev.locald.registry.RegistryCredential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the JSON of a build request and checks every field, collecting all problems so that one 400
 * names each invalid field. Unknown fields, duplicate keys and trailing content are refused.
 */
public final class BuildRequestParser {
    static final Set<String> FIELDS = Set.of(
            "image",
            "builder",
            "runImage",
            "env",
            "secretEnv",
            "buildpacks",
            "tags",
            "trustBuilder",
            "clearCache",
            "network",
            "timeout",
            "registryAuth",
            "resources",
            "source",
            "gitAuth",
            BindingsField.NAME,
            "defaultProcess",
            "creationTime",
            "previousImage",
            "execEnv",
            "disableSystemBuildpacks",
            "pullPolicy",
            "kind",
            "force");
    /** What a rebase cannot use: it runs no buildpack and reads no source (docs/api.md, "Rebase"). */
    static final List<String> BUILD_ONLY = List.of(
            "builder",
            "env",
            "secretEnv",
            "buildpacks",
            "trustBuilder",
            "clearCache",
            GitSourceField.AUTH,
            BindingsField.NAME,
            "defaultProcess",
            "creationTime",
            "previousImage",
            "execEnv",
            "disableSystemBuildpacks");

    private static final Set<String> RESOURCES = Set.of("memory", "cpus", "pids", "disk");
    // the smallest limits the runtime applies (ResourceLimits): a 4 MiB memory cgroup, a 1 ms CPU quota
    private static final ByteSize MIN_MEMORY = new ByteSize(4L * 1024 * 1024);
    private static final double MIN_CPUS = 0.01;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> LOADER_VARIABLES = Set.of("LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT");
    private static final int MAX_ENV_NAME = 128;
    private static final int MAX_ENV_VALUE = 65536;
    private static final int MAX_ENV_COUNT = 256;
    private static final long MAX_ENV_TOTAL = 1024 * 1024;
    private static final int MAX_BUILDPACKS = 64;
    private static final int MAX_TAGS = 32;
    private static final Pattern BUILDPACK_ID =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,254}(?:@[0-9A-Za-z.+-]{1,64})?");
    private static final Pattern BUILDPACK_URN =
            Pattern.compile("urn:cnb:builder:[A-Za-z0-9][A-Za-z0-9._/-]{0,254}(?:@[0-9A-Za-z.+-]{1,64})?");
    private static final String BUILDPACKS_FORMS = "name a buildpack the builder contains "
            + "(id[@version] or urn:cnb:builder:id[@version]), a buildpack image (docker://<image>) or a buildpack "
            + "of the buildpack registry (urn:cnb:registry:<namespace>/<name>[@<version>])";

    private static final ObjectMapper JSON = Json.STRICT;

    /** Where the source comes from, which decides whether {@code source} may appear in the JSON. */
    public enum Mode {
        /** application/json: {@code source.path} names a server directory */
        JSON,
        /** multipart: the source is the {@code source} part */
        MULTIPART
    }

    /** A checked request and, for JSON requests, its source: a server directory or a git repository. */
    public record Parsed(BuildRequest request, Optional<SourceSubmission> source) {}

    private final Duration maxTimeout;
    private final boolean allowSourcePath;
    private final Path dataDir;
    private final boolean allowLoopback;
    private final BuildResources limits;
    private final double maxCpus;
    private final NetworkMode defaultNetwork;

    /**
     * @param allowLoopback whether references may name registries on this machine ({@link ReferenceSyntax})
     * @param limits the configured limits ({@code locald.builds.limits}); a request may ask for less, never more
     * @param defaultNetwork the network of a request that names none (locald.network.default-mode)
     */
    public BuildRequestParser(
            Duration maxTimeout,
            boolean allowSourcePath,
            Path dataDir,
            boolean allowLoopback,
            BuildResources limits,
            NetworkMode defaultNetwork) {
        this.maxTimeout = maxTimeout;
        this.allowSourcePath = allowSourcePath;
        this.dataDir = dataDir;
        this.allowLoopback = allowLoopback;
        this.limits = limits;
        // no configured CPU limit: a phase may have every core, and more than that means nothing
        this.maxCpus = limits.cpuLimit().orElse(java.lang.Runtime.getRuntime().availableProcessors());
        this.defaultNetwork = defaultNetwork;
    }

    /** Parses and checks; throws a 400 {@link ProblemException} listing every problem. */
    public Parsed parse(byte[] body, Mode mode) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw ProblemException.invalid("build", "is not valid JSON: " + shortMessage(e));
        }
        if (root == null || root.isMissingNode()) {
            throw ProblemException.invalid("build", "is empty; expected a JSON object");
        }
        if (!root.isObject()) {
            throw ProblemException.invalid("build", "must be a JSON object");
        }
        return new Checker(root, mode).check();
    }

    private static String shortMessage(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private final class Checker {
        private final JsonNode root;
        private final Mode mode;
        private final List<FieldError> errors = new ArrayList<>();

        Checker(JsonNode root, Mode mode) {
            this.root = root;
            this.mode = mode;
        }

        Parsed check() {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!FIELDS.contains(name)) {
                    error(name, "is not a known field");
                }
            }
            if (kind() == BuildKind.REBASE) {
                return rebase();
            }
            if (root.has("force")) {
                error("force", "is only for kind \"rebase\" (the rebaser's -force)");
            }
            ImageReference image = reference("image", true, ReferenceSyntax.Kind.TAG_ONLY);
            // optional: the source's project.toml may name the builder (known only inside the build)
            ImageReference builder = reference("builder", false, ReferenceSyntax.Kind.ANY);
            ImageReference runImage = reference("runImage", false, ReferenceSyntax.Kind.ANY);
            Map<String, String> env = env();
            Set<String> secretEnv = secretEnv(env);
            List<String> buildpacks = buildpacks();
            List<ImageReference> tags = tags(image);
            boolean trustBuilder = bool("trustBuilder");
            boolean clearCache = bool("clearCache");
            NetworkMode network = network();
            Optional<Duration> timeout = timeout();
            Optional<RegistryCredential> auth = RegistryAuthField.parse(root.get(RegistryAuthField.NAME), errors);
            BuildResources resources = resources();
            Optional<SourceSubmission> source = source();
            Map<String, ServiceBinding> bindings = BindingsField.parse(root.get(BindingsField.NAME), env, errors);
            BuildOptions options = BuildOptionsField.parse(root, allowLoopback, errors);
            PullPolicy pullPolicy = pullPolicy();
            if (!errors.isEmpty()) {
                throw ProblemException.invalid(errors);
            }
            BuildRequest request = new BuildRequest(
                    image,
                    Optional.ofNullable(builder),
                    Optional.ofNullable(runImage),
                    env,
                    secretEnv,
                    buildpacks,
                    tags,
                    trustBuilder,
                    clearCache,
                    network,
                    timeout,
                    auth,
                    resources,
                    bindings,
                    List.of(),
                    options,
                    pullPolicy,
                    BuildKind.BUILD);
            return new Parsed(request, source);
        }

        /** {@code kind}: absent means a build; an unknown kind is reported and the rest checked as a build. */
        private BuildKind kind() {
            JsonNode node = root.get("kind");
            if (node == null || node.isNull()) {
                return BuildKind.BUILD;
            }
            Optional<BuildKind> kind = node.isTextual() ? BuildKind.ofWireName(node.textValue()) : Optional.empty();
            if (kind.isEmpty()) {
                error("kind", "must be \"build\" or \"rebase\"");
                return BuildKind.BUILD;
            }
            return kind.get();
        }

        /**
         * A rebase: the app image (rewritten in place), an optional new run image, tags, force, and what governs
         * any build (network, timeout, registryAuth, resources, pullPolicy); no source and no build-only field.
         */
        private Parsed rebase() {
            for (String field : BUILD_ONLY) {
                if (root.has(field)) {
                    error(
                            field,
                            "is not allowed with kind \"rebase\": a rebase runs no buildpacks; it only puts the"
                                    + " app image's layers on a new run image");
                }
            }
            if (mode == Mode.MULTIPART) {
                error("source", "a rebase takes no source: send the request as application/json, without a source");
            } else if (root.has("source")) {
                error("source", "is not allowed with kind \"rebase\": a rebase works on the published image");
            }
            ImageReference image = reference("image", true, ReferenceSyntax.Kind.TAG_ONLY);
            ImageReference runImage = reference("runImage", false, ReferenceSyntax.Kind.ANY);
            List<ImageReference> tags = tags(image);
            NetworkMode network = network();
            Optional<Duration> timeout = timeout();
            Optional<RegistryCredential> auth = RegistryAuthField.parse(root.get(RegistryAuthField.NAME), errors);
            BuildResources resources = resources();
            PullPolicy pullPolicy = pullPolicy();
            boolean force = bool("force");
            if (!errors.isEmpty()) {
                throw ProblemException.invalid(errors);
            }
            BuildRequest request = new BuildRequest(
                    image,
                    Optional.empty(),
                    Optional.ofNullable(runImage),
                    Map.of(),
                    Set.of(),
                    List.of(),
                    tags,
                    false,
                    false,
                    network,
                    timeout,
                    auth,
                    resources,
                    Map.of(),
                    List.of(),
                    new BuildOptions(null, null, null, null, false, force),
                    pullPolicy,
                    BuildKind.REBASE);
            return new Parsed(request, Optional.of(new SourceSubmission.None()));
        }

        private ImageReference reference(String field, boolean required, ReferenceSyntax.Kind kind) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                if (required) {
                    error(field, "is required");
                }
                return null;
            }
            if (!node.isTextual()) {
                error(field, "must be a string (an image reference)");
                return null;
            }
            try {
                return ReferenceSyntax.parse(node.textValue(), kind, allowLoopback);
            } catch (IllegalArgumentException e) {
                error(field, "'" + printable(node.textValue()) + "' " + e.getMessage());
                return null;
            }
        }

        private Map<String, String> env() {
            JsonNode node = root.get("env");
            Map<String, String> env = new LinkedHashMap<>();
            if (node == null || node.isNull()) {
                return env;
            }
            if (!node.isObject()) {
                error("env", "must be an object of names to string values");
                return env;
            }
            if (node.size() > MAX_ENV_COUNT) {
                error("env", "has " + node.size() + " variables; at most " + MAX_ENV_COUNT + " are allowed");
                return env;
            }
            long total = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                String field = "env." + printable(name);
                Optional<String> nameProblem = envNameProblem(name);
                if (nameProblem.isPresent()) {
                    error(field, nameProblem.get());
                    continue;
                }
                if (!e.getValue().isTextual()) {
                    error(field, "must be a string");
                    continue;
                }
                String value = e.getValue().textValue();
                if (value.length() > MAX_ENV_VALUE) {
                    error(field, "is longer than " + MAX_ENV_VALUE + " characters");
                    continue;
                }
                if (value.indexOf('\0') >= 0) {
                    error(field, "must not contain NUL characters");
                    continue;
                }
                total += value.length();
                env.put(name, value);
            }
            if (total > MAX_ENV_TOTAL) {
                error("env", "values add up to more than " + MAX_ENV_TOTAL + " characters");
            }
            return env;
        }

        private Optional<String> envNameProblem(String name) {
            if (name.isEmpty()) {
                return Optional.of("a variable name must not be empty");
            }
            if (name.length() > MAX_ENV_NAME) {
                return Optional.of("the name is longer than " + MAX_ENV_NAME + " characters");
            }
            if (!ENV_NAME.matcher(name).matches()) {
                return Optional.of(
                        "'" + printable(name) + "' is not a valid variable name "
                                + "(letters, digits and _, not starting with a digit); names become file names under /platform/env");
            }
            if (name.toUpperCase(Locale.ROOT).startsWith("CNB_")) {
                return Optional.of("CNB_* variables are reserved for the lifecycle");
            }
            if (LOADER_VARIABLES.contains(name)) {
                return Optional.of(name + " is reserved: it would change how the lifecycle's own programs run");
            }
            return Optional.empty();
        }

        private Set<String> secretEnv(Map<String, String> env) {
            Set<String> names = new LinkedHashSet<>();
            JsonNode node = root.get("secretEnv");
            if (node == null || node.isNull()) {
                return names;
            }
            if (!node.isArray()) {
                error("secretEnv", "must be an array of variable names");
                return names;
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                String field = "secretEnv[" + i + "]";
                if (!item.isTextual()) {
                    error(field, "must be a string");
                } else if (!env.containsKey(item.textValue())) {
                    if (root.path("env").has(item.textValue())) {
                        continue; // the variable itself was refused and reported under env
                    }
                    error(field, "'" + printable(item.textValue()) + "' is not set in env");
                } else {
                    names.add(item.textValue());
                }
            }
            return names;
        }

        /** The strings of array field {@code name}, keyed by their field names ({@code name[i]}); problems recorded. */
        private List<Map.Entry<String, String>> strings(String name, int max, String notAnArray) {
            List<Map.Entry<String, String>> result = new ArrayList<>();
            JsonNode node = root.get(name);
            if (node == null || node.isNull()) {
                return result;
            }
            if (!node.isArray()) {
                error(name, notAnArray);
                return result;
            }
            if (node.size() > max) {
                error(name, "has more than " + max + " entries");
                return result;
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                String field = name + "[" + i + "]";
                if (item.isTextual()) {
                    result.add(Map.entry(field, item.textValue()));
                } else {
                    error(field, "must be a string");
                }
            }
            return result;
        }

        private List<String> buildpacks() {
            List<String> result = new ArrayList<>();
            for (Map.Entry<String, String> item : strings(
                    "buildpacks",
                    MAX_BUILDPACKS,
                    "must be an array of buildpacks (id[@version], urn:cnb:builder:id[@version], "
                            + "docker://<image> or urn:cnb:registry:<namespace>/<name>[@<version>])")) {
                String field = item.getKey();
                String value = item.getValue();
                if (Buildpackage.isImage(value)) {
                    // a buildpackage image: the same reference rules as the builder's (docs/api.md)
                    try {
                        ReferenceSyntax.parse(
                                value.substring(Buildpackage.DOCKER_PREFIX.length()),
                                ReferenceSyntax.Kind.ANY,
                                allowLoopback);
                    } catch (IllegalArgumentException e) {
                        error(field, "'" + printable(value) + "' is not a valid buildpack image: " + e.getMessage());
                        continue;
                    }
                } else if (RegistryBuildpack.isRegistry(value)) {
                    // resolved to its image in the build (docs/api.md, "Buildpacks from the buildpack registry")
                    try {
                        RegistryBuildpack.parse(value);
                    } catch (IllegalArgumentException e) {
                        error(
                                field,
                                "'" + printable(value) + "' is not a valid buildpack registry reference"
                                        + " (urn:cnb:registry:<namespace>/<name>[@<version>]): " + e.getMessage());
                        continue;
                    }
                } else if (!BUILDPACK_ID.matcher(value).matches()
                                && !BUILDPACK_URN.matcher(value).matches()
                        || value.contains("..")) {
                    error(field, "'" + printable(value) + "' is not a buildpack id: " + BUILDPACKS_FORMS);
                    continue;
                }
                result.add(value);
            }
            return result;
        }

        /** @param image the checked target image, or null when it was refused */
        private List<ImageReference> tags(ImageReference image) {
            List<ImageReference> result = new ArrayList<>();
            for (Map.Entry<String, String> item : strings("tags", MAX_TAGS, "must be an array of image references")) {
                String field = item.getKey();
                try {
                    ImageReference tag =
                            ReferenceSyntax.parse(item.getValue(), ReferenceSyntax.Kind.TAG_ONLY, allowLoopback);
                    if (image != null && !tag.registry().equalsIgnoreCase(image.registry())) {
                        // the exporter publishes every tag to one registry
                        error(
                                field,
                                "'" + printable(item.getValue()) + "' is on registry " + tag.registry()
                                        + ", but the image is on " + image.registry()
                                        + "; every tag must be on the image's registry");
                    } else {
                        result.add(tag);
                    }
                } catch (IllegalArgumentException e) {
                    error(field, "'" + printable(item.getValue()) + "' " + e.getMessage());
                }
            }
            return result;
        }

        /** Host names are case-insensitive; Docker Hub's aliases are one registry. */
        private boolean bool(String field) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return false;
            }
            if (!node.isBoolean()) {
                error(field, "must be true or false");
                return false;
            }
            return node.booleanValue();
        }

        private NetworkMode network() {
            JsonNode node = root.get("network");
            if (node == null || node.isNull()) {
                return defaultNetwork;
            }
            Optional<NetworkMode> network =
                    node.isTextual() ? NetworkMode.ofWireName(node.textValue()) : Optional.empty();
            if (network.isEmpty()) {
                error("network", "must be \"isolated\", \"host\" or \"none\"");
                return defaultNetwork;
            }
            return network.get();
        }

        private PullPolicy pullPolicy() {
            JsonNode node = root.get("pullPolicy");
            if (node == null || node.isNull()) {
                return PullPolicy.IF_NOT_PRESENT;
            }
            Optional<PullPolicy> policy = node.isTextual() ? PullPolicy.ofWireName(node.textValue()) : Optional.empty();
            if (policy.isEmpty()) {
                error("pullPolicy", "must be \"always\", \"if-not-present\" or \"never\"");
                return PullPolicy.IF_NOT_PRESENT;
            }
            return policy.get();
        }

        private Optional<Duration> timeout() {
            JsonNode node = root.get("timeout");
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            Duration timeout;
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                timeout = Duration.ofSeconds(node.longValue());
            } else if (node.isTextual()) {
                try {
                    timeout = Duration.parse(node.textValue());
                } catch (DateTimeParseException e) {
                    error(
                            "timeout",
                            "'" + printable(node.textValue())
                                    + "' is not an ISO-8601 duration such as PT20M (or give whole seconds as a number)");
                    return Optional.empty();
                }
            } else {
                error("timeout", "must be an ISO-8601 duration such as \"PT20M\" or a whole number of seconds");
                return Optional.empty();
            }
            if (timeout.isNegative() || timeout.isZero()) {
                error("timeout", "must be positive");
                return Optional.empty();
            }
            if (timeout.compareTo(maxTimeout) > 0) {
                error("timeout", "must be at most " + maxTimeout + " (locald.builds.max-timeout)");
                return Optional.empty();
            }
            return Optional.of(timeout);
        }

        /** {@code resources}: each limit optional, each within the configured one. */
        private BuildResources resources() {
            JsonNode node = root.get("resources");
            if (node == null || node.isNull()) {
                return BuildResources.DEFAULT;
            }
            if (!node.isObject()) {
                error(
                        "resources",
                        "must be an object such as {\"memory\": \"2G\", \"cpus\": 1.5, \"pids\": 512, \"disk\": \"5G\"}");
                return BuildResources.DEFAULT;
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!RESOURCES.contains(name)) {
                    error("resources." + printable(name), "is not a known resource (memory, cpus, pids, disk)");
                }
            }
            return new BuildResources(
                    size(node.get("memory"), "memory", MIN_MEMORY, limits.memory()),
                    cpus(node.get("cpus")),
                    pids(node.get("pids")),
                    size(node.get("disk"), "disk", new ByteSize(1024 * 1024), limits.disk()));
        }

        private ByteSize size(JsonNode node, String name, ByteSize min, ByteSize max) {
            if (node == null || node.isNull()) {
                return null;
            }
            String field = "resources." + name;
            ByteSize size;
            if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
                size = new ByteSize(node.longValue());
            } else if (node.isTextual()) {
                try {
                    size = ByteSize.parse(node.textValue());
                } catch (IllegalArgumentException e) {
                    error(field, printable(e.getMessage()));
                    return null;
                }
            } else {
                error(field, "must be a size such as \"512M\" or \"2G\", or a number of bytes");
                return null;
            }
            if (size.compareTo(min) < 0) {
                error(field, "must be at least " + min);
                return null;
            }
            if (max != null && size.compareTo(max) > 0) {
                error(field, "must be at most " + max + " (locald.builds.limits." + name + ")");
                return null;
            }
            return size;
        }

        private Double cpus(JsonNode node) {
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
                error("resources.cpus", "must be a number of CPUs such as 1.5");
                return null;
            }
            double cpus = node.doubleValue();
            if (cpus < MIN_CPUS) {
                error("resources.cpus", "must be at least " + MIN_CPUS);
                return null;
            }
            if (cpus > maxCpus) {
                error(
                        "resources.cpus",
                        "must be at most " + maxCpus
                                + (limits.cpuLimit().isPresent()
                                        ? " (locald.builds.limits.cpus)"
                                        : " (the host's cores)"));
                return null;
            }
            return cpus;
        }

        private Long pids(JsonNode node) {
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 1) {
                error("resources.pids", "must be a whole number of processes, at least 1");
                return null;
            }
            long pids = node.longValue();
            if (limits.pidsLimit().isPresent() && pids > limits.pidsLimit().getAsLong()) {
                error(
                        "resources.pids",
                        "must be at most " + limits.pidsLimit().getAsLong() + " (locald.builds.limits.pids)");
                return null;
            }
            return pids;
        }

        private Optional<SourceSubmission> source() {
            JsonNode node = root.get("source");
            JsonNode gitAuth = root.get(GitSourceField.AUTH);
            if (mode == Mode.MULTIPART) {
                if (node != null) {
                    error("source", "must not be set in a multipart request: the source is the 'source' part");
                }
                if (gitAuth != null) {
                    error(GitSourceField.AUTH, "is only for a git source (source.git in a JSON request)");
                }
                return Optional.empty();
            }
            if (node == null || node.isNull()) {
                error(
                        "source",
                        "is required: send the source as multipart (a 'build' part and a 'source' archive), "
                                + "{\"git\": {\"url\": …, \"ref\": …}}, "
                                + "or {\"path\": …} where server directories are allowed");
                return Optional.empty();
            }
            if (node.isObject() && node.size() == 1 && node.has("git")) {
                return GitSourceField.parse(node.get("git"), gitAuth, errors).map(g -> g);
            }
            if (gitAuth != null) {
                error(GitSourceField.AUTH, "is only for a git source (source.git)");
            }
            if (!node.isObject() || node.size() != 1 || !node.has("path")) {
                error("source", "must be {\"git\": {\"url\": …, \"ref\": …}} or {\"path\": \"/absolute/directory\"}");
                return Optional.empty();
            }
            if (!allowSourcePath) {
                error(
                        "source.path",
                        "server-side source directories are disabled (locald.builds.allow-source-path=false); "
                                + "upload the source as multipart instead");
                return Optional.empty();
            }
            JsonNode pathNode = node.get("path");
            if (!pathNode.isTextual()
                    || pathNode.textValue().isEmpty()
                    || pathNode.textValue().length() > 4096
                    || pathNode.textValue().indexOf('\0') >= 0) {
                error("source.path", "must be an absolute directory path");
                return Optional.empty();
            }
            Path path;
            try {
                path = Path.of(pathNode.textValue());
            } catch (InvalidPathException e) {
                error("source.path", "is not a valid path");
                return Optional.empty();
            }
            if (!path.isAbsolute()
                    || !path.normalize().equals(path)
                    || pathNode.textValue().contains("/./")
                    || pathNode.textValue().endsWith("/.")) {
                error("source.path", "must be an absolute path without . or .. segments");
                return Optional.empty();
            }
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                error("source.path", "is not a directory (symbolic links are not followed)");
                return Optional.empty();
            }
            try {
                Path real = path.toRealPath();
                Path data = Files.exists(dataDir)
                        ? dataDir.toRealPath()
                        : dataDir.toAbsolutePath().normalize();
                if (real.startsWith(data) || data.startsWith(real)) {
                    error("source.path", "must not contain or be inside locald's data directory");
                    return Optional.empty();
                }
                return Optional.of(new SourceSubmission.Directory(real));
            } catch (IOException e) {
                error("source.path", "cannot be read");
                return Optional.empty();
            }
        }

        private void error(String field, String message) {
            errors.add(new FieldError(field, message));
        }
    }

    /** The text with control characters escaped and cut to a readable length, for echoing user input in messages. */
    static String printable(String text) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < text.length() && s.length() < 200; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        if (s.length() >= 200) {
            s.append('…');
        }
        return s.toString();
    }
}
