package dev.locald.lifecycle;

import java.util.Locale;

/**
 * The registry part of an image reference, with Docker's rules: the first path component is a registry
 * only if it contains '.' or ':' or is {@code localhost}; otherwise the image is on Docker Hub. Docker Hub's
 * aliases are all reported as {@code index.docker.io} (the name go-containerregistry uses).
 */
public final class RegistryHost {
    private RegistryHost() {
    }

    public static String of(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String ref = reference.strip();
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return "index.docker.io";
        }
        String first = ref.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            String host = first.toLowerCase(Locale.ROOT);
            return host.equals("docker.io") || host.equals("registry-1.docker.io") ? "index.docker.io" : host;
        }
        return "index.docker.io";
    }

    /** The reference without tag or digest, registry normalised: the key of one repository. */
    public static String repository(String reference) {
        String ref = reference.strip();
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        if (colon > ref.lastIndexOf('/')) {
            ref = ref.substring(0, colon);
        }
        String registry = of(ref);
        int slash = ref.indexOf('/');
        String path;
        if (slash < 0) {
            path = "library/" + ref;
        } else {
            String first = ref.substring(0, slash);
            boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
            path = hasRegistry ? ref.substring(slash + 1) : ref;
            if (registry.equals("index.docker.io") && path.indexOf('/') < 0) {
                path = "library/" + path;
            }
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("image reference names no repository: " + BuildpackRef.quote(reference));
        }
        return registry + "/" + path;
    }
}
