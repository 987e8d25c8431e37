package dev.locald.image;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed image reference such as {@code 127.0.0.1:5000/team/app:1.0@sha256:…}, normalised the way docker
 * does: {@code busybox} is {@code docker.io/library/busybox:latest}, {@code index.docker.io} is
 * {@code docker.io} (Docker Hub's names are in {@link RegistryHosts}). The only reference parser in locald.
 * Parsing follows the distribution reference grammar strictly, so a repository can safely become part of a
 * URL path and never contains {@code ..}, upper case or empty components.
 *
 * @param registry   host or host:port ({@code docker.io} for Docker Hub)
 * @param repository path below the registry, lower case ({@code library/busybox})
 * @param tag        the tag; empty only when the reference names a digest and no tag
 * @param digest     the manifest digest when the reference pins one
 */
public record ImageReference(String registry, String repository, Optional<String> tag, Optional<Digest> digest) {

    public static final String DEFAULT_TAG = "latest";

    private static final int MAX_INPUT = 1024;
    private static final int MAX_NAME = 255;
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern IPV4_OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern IPV6_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        registry = checkRegistry(registry, registry);
        checkRepository(repository, registry + "/" + repository);
        tag.ifPresent(t -> checkTag(t, t));
        if (tag.isEmpty() && digest.isEmpty()) {
            throw new IllegalArgumentException(
                    "image reference " + registry + "/" + repository + " needs a tag or a digest");
        }
    }

    /** Parses a reference the way {@code docker pull} reads it; throws naming what is wrong. */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        if (text.length() > MAX_INPUT) {
            throw new IllegalArgumentException("image reference is longer than " + MAX_INPUT + " characters");
        }
        if (!text.equals(text.strip())) {
            throw new IllegalArgumentException("image reference '" + text + "' has surrounding whitespace");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            if (!digestText.startsWith("sha256:")) {
                throw new IllegalArgumentException(
                        "image reference '" + text + "': only sha256 digests are supported, got '" + digestText + "'");
            }
            try {
                digest = Digest.parse(digestText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("image reference '" + text + "' has an invalid digest '" + digestText
                        + "' (want sha256: and 64 lower-case hex characters)");
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            checkTag(tag, text);
            rest = rest.substring(0, colon);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("image reference '" + text + "' has no repository name");
        }
        String registry;
        String repository;
        int firstSlash = rest.indexOf('/');
        String first = firstSlash < 0 ? rest : rest.substring(0, firstSlash);
        if (firstSlash >= 0 && looksLikeRegistry(first)) {
            registry = first;
            repository = rest.substring(firstSlash + 1);
        } else {
            registry = RegistryHosts.DOCKER_HUB;
            repository = rest;
        }
        registry = RegistryHosts.canonical(registry);
        if (registry.equals(RegistryHosts.DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        registry = checkRegistry(registry, text);
        checkRepository(repository, text);
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, repository, Optional.ofNullable(tag), Optional.ofNullable(digest));
    }

    /** Checks a registry name (host[:port], as {@link #registry()} holds it); throws naming what is wrong. */
    public static String requireRegistry(String registry) {
        if (registry == null || registry.isEmpty()) {
            throw new IllegalArgumentException("a registry name must not be empty");
        }
        return checkRegistry(registry, registry + "/…");
    }

    /** Docker's rule: the first component is a registry when it has a dot, a port, or is localhost. */
    private static boolean looksLikeRegistry(String component) {
        return component.contains(".")
                || component.contains(":")
                || component.equals("localhost")
                || component.startsWith("[")
                || !component.equals(component.toLowerCase(java.util.Locale.ROOT));
    }

    private static void checkTag(String tag, String context) {
        if (tag.isEmpty()) {
            throw new IllegalArgumentException("image reference '" + context + "' has an empty tag");
        }
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("image reference '" + context + "' has an invalid tag '" + tag
                    + "' (allowed: letters, digits, '_', '.', '-'; not starting with '.' or '-'; at most 128)");
        }
    }

    /** Checks a registry name and returns it normalised (an IPv6 literal in its one canonical spelling). */
    private static String checkRegistry(String registry, String context) {
        String host = registry;
        String port = null;
        if (registry.startsWith("[")) {
            int close = registry.indexOf(']');
            if (close < 0 || !IPV6.matcher(registry.substring(0, close + 1)).matches()) {
                throw new IllegalArgumentException(
                        "image reference '" + context + "' has an invalid registry '" + registry + "'");
            }
            host = "[" + canonicalIpv6(registry.substring(1, close), context) + "]";
            String after = registry.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException(
                            "image reference '" + context + "' has an invalid registry '" + registry + "'");
                }
                port = after.substring(1);
            }
        } else {
            int colon = registry.indexOf(':');
            if (colon >= 0) {
                host = registry.substring(0, colon);
                port = registry.substring(colon + 1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("image reference '" + context + "' has an empty registry host");
            }
            String[] labels = host.split("\\.", -1);
            for (String part : labels) {
                if (!DOMAIN_COMPONENT.matcher(part).matches()) {
                    throw new IllegalArgumentException(
                            "image reference '" + context + "' has an invalid registry host '" + host + "'");
                }
            }
            checkIpv4(host, labels, context);
        }
        if (port != null
                && (!PORT.matcher(port).matches() || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535)) {
            throw new IllegalArgumentException(
                    "image reference '" + context + "' has an invalid registry port '" + port + "'");
        }
        return port == null ? host : host + ":" + port;
    }

    /**
     * A host whose last label is numeric is an IPv4 address, and only its dotted-quad form is accepted: the
     * resolver reads {@code 127.1}, {@code 2130706433} or {@code 0177.0.0.1} as 127.0.0.1 while every check
     * of locald (loopback, insecure registries, credentials) would see another name.
     */
    private static void checkIpv4(String host, String[] labels, String context) {
        if (!labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            return;
        }
        boolean dottedQuad = labels.length == 4;
        for (String label : labels) {
            dottedQuad &= IPV4_OCTET.matcher(label).matches() && Integer.parseInt(label) <= 255;
        }
        if (!dottedQuad) {
            throw new IllegalArgumentException("image reference '" + context + "' has the registry host '" + host
                    + "', which is not an IPv4 address in dotted-quad form; short, decimal, octal and hex forms"
                    + " are refused: write four decimal octets such as 127.0.0.1");
        }
    }

    /**
     * The RFC 5952 spelling of an IPv6 literal (lower case, no leading zeros, the longest zero run as
     * {@code ::}), so one registry has one name. IPv4 addresses written as IPv6 (mapped {@code ::ffff:a.b.c.d},
     * compatible {@code ::a.b.c.d}, or either in hex) are refused for the same reason as short IPv4 forms.
     */
    private static String canonicalIpv6(String literal, String context) {
        IllegalArgumentException invalid = new IllegalArgumentException(
                "image reference '" + context + "' has an invalid IPv6 registry host '[" + literal + "]'");
        if (literal.contains(".")) {
            throw ipv4AsIpv6(literal, context);
        }
        int gap = literal.indexOf("::");
        if (gap != literal.lastIndexOf("::")) {
            throw invalid;
        }
        List<String> head = ipv6Groups(gap < 0 ? literal : literal.substring(0, gap), invalid);
        List<String> tail = gap < 0 ? List.of() : ipv6Groups(literal.substring(gap + 2), invalid);
        if (gap < 0 ? head.size() != 8 : head.size() + tail.size() > 7) {
            throw invalid;
        }
        int[] groups = new int[8];
        for (int i = 0; i < head.size(); i++) {
            groups[i] = Integer.parseInt(head.get(i), 16);
        }
        for (int i = 0; i < tail.size(); i++) {
            groups[8 - tail.size() + i] = Integer.parseInt(tail.get(i), 16);
        }
        boolean firstFiveZero = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0;
        boolean mapped = firstFiveZero && groups[5] == 0xffff;
        boolean compatible = firstFiveZero && groups[5] == 0 && !(groups[6] == 0 && groups[7] <= 1);
        if (mapped || compatible) {
            throw ipv4AsIpv6(literal, context);
        }
        if (Arrays.stream(groups).allMatch(g -> g == 0)) {
            throw new IllegalArgumentException("image reference '" + context + "' has the registry host '[" + literal
                    + "]', the unspecified address, which names no registry");
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static List<String> ipv6Groups(String part, IllegalArgumentException invalid) {
        if (part.isEmpty()) {
            return List.of();
        }
        List<String> groups = List.of(part.split(":", -1));
        for (String group : groups) {
            if (!IPV6_GROUP.matcher(group).matches()) {
                throw invalid;
            }
        }
        return groups;
    }

    private static IllegalArgumentException ipv4AsIpv6(String literal, String context) {
        return new IllegalArgumentException("image reference '" + context + "' has the registry host '[" + literal
                + "]', an IPv4 address written as IPv6 (IPv4-mapped or -compatible); write the IPv4 address itself");
    }

    private static void checkRepository(String repository, String context) {
        if (repository.isEmpty()) {
            throw new IllegalArgumentException("image reference '" + context + "' has no repository name");
        }
        if (!repository.equals(repository.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException(
                    "image reference '" + context + "': repository name '" + repository + "' must be lower case");
        }
        for (String component : repository.split("/", -1)) {
            if (component.isEmpty()) {
                throw new IllegalArgumentException("image reference '" + context + "': repository '" + repository
                        + "' has an empty path component");
            }
            if (component.equals("..") || component.equals(".")) {
                throw new IllegalArgumentException("image reference '" + context + "': repository '" + repository
                        + "' contains the path component '" + component + "'");
            }
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException(
                        "image reference '" + context + "': repository component '" + component
                                + "' is invalid (lower-case letters and digits, separated by '.', '_', '__' or '-')");
            }
        }
        if (repository.length() > MAX_NAME) {
            throw new IllegalArgumentException(
                    "image reference '" + context + "': repository name is longer than " + MAX_NAME + " characters");
        }
    }

    /** The host that serves the registry API: Docker Hub's API lives on {@code registry-1.docker.io}. */
    public String apiHost() {
        return RegistryHosts.apiHost(registry);
    }

    /** The API host without its port (and without the brackets of an IPv6 literal). */
    public String host() {
        String h = apiHost();
        if (h.startsWith("[")) {
            return h.substring(1, h.indexOf(']'));
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /** What to ask the manifest endpoint for: the digest when pinned, else the tag. */
    public String manifestReference() {
        return digest.map(Digest::toString).orElseGet(tag::orElseThrow);
    }

    /** {@code registry/repository}, the name without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /**
     * The repository as the lifecycle (go-containerregistry) names it, e.g. {@code index.docker.io/library/app}:
     * the key of everything kept per repository (build caches, trusted builders), whatever the tag or digest.
     */
    public String repositoryKey() {
        return RegistryHosts.lifecycleName(registry) + "/" + repository;
    }

    /** Whether the registry is on this machine ({@link RegistryHosts#isLoopback}). */
    public boolean isLoopback() {
        return RegistryHosts.isLoopback(host());
    }

    /** Whether the registry is a link-local address literal ({@link RegistryHosts#isLinkLocal(String)}). */
    public boolean isLinkLocal() {
        return RegistryHosts.isLinkLocal(host());
    }

    /** The same image pinned to a digest (the tag, if any, is kept for display). */
    public ImageReference withDigest(Digest pinned) {
        return new ImageReference(registry, repository, tag, Optional.of(pinned));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name());
        tag.ifPresent(t -> s.append(':').append(t));
        digest.ifPresent(d -> s.append('@').append(d));
        return s.toString();
    }
}
