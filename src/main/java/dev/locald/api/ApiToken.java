package dev.locald.api;

import java.util.List;

/**
 * One line of the tokens file ({@code locald.auth.tokens-file}): a named token, known only by its SHA-256.
 *
 * @param imagePrefixes the image references a builder token may publish to; empty = any
 */
record ApiToken(String name, Role role, byte[] sha256, List<String> imagePrefixes) {

    enum Role {
        /** Submits builds and sees only its own; reads images. */
        BUILDER,
        /** Everything. */
        ADMIN
    }

    ApiToken {
        sha256 = sha256.clone();
        imagePrefixes = List.copyOf(imagePrefixes);
    }

    boolean mayPublish(String image) {
        return imagePrefixes.isEmpty() || imagePrefixes.stream().anyMatch(image::startsWith);
    }

    @Override
    public String toString() {
        return "ApiToken[" + name + ", " + role + "]"; // never the hash
    }
}
