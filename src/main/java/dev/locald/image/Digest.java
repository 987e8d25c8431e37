package dev.locald.image;

import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:3f…}. Only sha256 is accepted, and the hex must be exactly 64
 * lower-case characters, so a digest can safely name a file or directory in the store.
 */
public record Digest(String hex) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + hex);
        }
    }

    /** Parses {@code sha256:<64 hex>}; anything else is refused with a message naming the input. */
    public static Digest parse(String text) {
        if (text == null || !text.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + text);
        }
        return new Digest(text.substring("sha256:".length()));
    }

    public static Digest ofBytes(byte[] content) {
        try {
            return new Digest(java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
