package dev.locald.api;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Strict syntax check of an image reference, per the OCI distribution grammar:
 * {@code [host[:port]/]component(/component)*[:tag][@sha256:<64 hex>]}. A first component counts as the
 * registry host when it contains a dot or a colon or is {@code localhost}. Only sha256 digests are accepted.
 */
public final class ReferenceSyntax {
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int MAX_NAME = 255;
    private static final int MAX_REFERENCE = 512;

    /** How a reference may end. */
    public enum Kind {
        /** a tag, a digest, both or neither */
        ANY,
        /** no digest: a name to publish to */
        TAG_ONLY
    }

    private ReferenceSyntax() {
    }

    /** Empty when {@code reference} is valid, otherwise what is wrong with it. */
    public static Optional<String> problem(String reference, Kind kind) {
        if (reference == null || reference.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (reference.length() > MAX_REFERENCE) {
            return Optional.of("is longer than " + MAX_REFERENCE + " characters");
        }
        String rest = reference;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digest = rest.substring(at + 1);
            if (kind == Kind.TAG_ONLY) {
                return Optional.of("must not contain a digest: images are published by tag");
            }
            if (!DIGEST.matcher(digest).matches()) {
                return Optional.of("has an invalid digest (expected sha256: and 64 lower-case hex digits)");
            }
            rest = rest.substring(0, at);
        }
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            String tag = rest.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                return Optional.of("has an invalid tag '" + tag + "' (letters, digits, _ . -; at most 128; not starting with . or -)");
            }
            rest = rest.substring(0, colon);
        }
        if (rest.length() > MAX_NAME) {
            return Optional.of("has a repository name longer than " + MAX_NAME + " characters");
        }
        String[] parts = rest.split("/", -1);
        int first = 0;
        if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
            Optional<String> hostProblem = hostProblem(parts[0]);
            if (hostProblem.isPresent()) {
                return hostProblem;
            }
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
                return Optional.of("has an invalid path component '" + parts[i]
                        + "' (lower-case letters and digits, separated by . _ __ or -)");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> hostProblem(String hostPort) {
        int colon = hostPort.indexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (!HOST.matcher(host).matches()) {
            return Optional.of("has an invalid registry host '" + host + "'");
        }
        if (colon >= 0) {
            String port = hostPort.substring(colon + 1);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                return Optional.of("has an invalid registry port '" + port + "'");
            }
        }
        return Optional.empty();
    }
}
