package dev.locald.source;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A git repository to build from: its remote URL, the branch, tag or commit to build, and optionally the
 * sub-directory of that commit that becomes {@code /workspace}. Only network URLs are accepted (http, https
 * and git://): a local path or {@code file://} would let a client read the server's own repositories, and
 * ssh would need keys locald does not hold. Credentials never go in the URL (they would be kept in the
 * record); they come as {@link GitCredential}.
 *
 * @param url  the remote, {@code http(s)://host/…} or {@code git://host/…}
 * @param ref  a branch or tag name (short, or a full {@code refs/…} name), or a commit id (4 to 40 hex digits)
 * @param path a relative directory inside the commit, empty for its root
 */
public record GitSource(String url, String ref, Optional<String> path) {

    public static final Set<String> SCHEMES = Set.of("http", "https", "git");
    static final int MAX_URL = 2048;
    static final int MAX_REF = 255;
    static final int MAX_PATH = 1024;
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{4,64}");
    private static final Pattern FULL_COMMIT = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");

    public GitSource {
        Objects.requireNonNull(path, "path");
        urlProblem(url).ifPresent(p -> {
            throw new IllegalArgumentException("url " + p);
        });
        refProblem(ref).ifPresent(p -> {
            throw new IllegalArgumentException("ref " + p);
        });
        path.flatMap(GitSource::pathProblem).ifPresent(p -> {
            throw new IllegalArgumentException("path " + p);
        });
    }

    /** Why {@code url} cannot be fetched, as the end of a sentence starting with the field; empty when fine. */
    public static Optional<String> urlProblem(String url) {
        if (url == null || url.isEmpty()) {
            return Optional.of("must be a non-empty http(s):// or git:// URL");
        }
        if (url.length() > MAX_URL) {
            return Optional.of("is longer than " + MAX_URL + " characters");
        }
        if (url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return Optional.of("must not contain spaces or control characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // scp-like "git@host:repo" and bare paths land here or without a scheme below
            return Optional.of("is not a URL; give an http(s):// or git:// URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.isEmpty() || scheme.equals("file")) {
            return Optional.of("must be a network URL (http, https or git://); local paths and file:// are refused");
        }
        if (!SCHEMES.contains(scheme)) {
            return Optional.of("has the scheme '" + scheme + "'; only http, https and git:// are supported");
        }
        if (uri.isOpaque() || uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("must name a host, as in https://host/owner/repo.git");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry credentials; give them in gitAuth, which is never stored");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("must not have a query or fragment");
        }
        return Optional.empty();
    }

    /** Why {@code ref} is not a usable branch, tag or commit name (git check-ref-format's rules); empty when fine. */
    public static Optional<String> refProblem(String ref) {
        if (ref == null || ref.isEmpty()) {
            return Optional.of("must be a non-empty branch, tag or commit");
        }
        if (ref.length() > MAX_REF) {
            return Optional.of("is longer than " + MAX_REF + " characters");
        }
        boolean badChar = ref.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || "~^:?*[\\".indexOf(c) >= 0);
        if (badChar
                || ref.startsWith("/")
                || ref.endsWith("/")
                || ref.endsWith(".")
                || ref.endsWith(".lock")
                || ref.contains("..")
                || ref.contains("//")
                || ref.contains("@{")
                || ref.equals("@")
                || ref.startsWith("-")
                || ref.startsWith(".")
                || ref.contains("/.")) {
            return Optional.of("is not a valid branch, tag or commit name (see git check-ref-format)");
        }
        return Optional.empty();
    }

    /** Why {@code path} is not a relative directory inside the repository; empty when fine. */
    public static Optional<String> pathProblem(String path) {
        if (path.isEmpty() || path.length() > MAX_PATH) {
            return Optional.of("must be a relative directory of at most " + MAX_PATH + " characters");
        }
        if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
            return Optional.of("must not contain control characters or backslashes");
        }
        if (path.startsWith("/")) {
            return Optional.of("must be relative to the repository's root");
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (String part : trimmed.split("/", -1)) {
            if (part.equals("..") || part.equals(".") || part.isEmpty()) {
                return Optional.of("must not contain '.', '..' or empty segments");
            }
        }
        return Optional.empty();
    }

    /** The ref looks like a commit id (it may still be a branch or tag of that name, which wins). */
    boolean mayBeCommit() {
        return HEX.matcher(ref).matches();
    }

    /** The ref is a whole commit id, which a server may let us fetch by itself. */
    boolean isFullCommit() {
        return FULL_COMMIT.matcher(ref).matches();
    }

    /** The sub-directory without a trailing slash, or empty for the root. */
    Optional<String> directory() {
        return path.map(p -> p.endsWith("/") ? p.substring(0, p.length() - 1) : p)
                .filter(p -> !p.isEmpty());
    }

    @Override
    public String toString() {
        return url + "@" + ref + path.map(p -> ":" + p).orElse("");
    }
}
