package dev.locald.registry;

/**
 * Every failure of talking to a registry, with a {@link Kind} callers can act on and a message meant for
 * the person who asked for the image ("image 127.0.0.1:5000/x/y:1 not found"). Messages never contain
 * credentials.
 */
public class RegistryException extends RuntimeException {

    public enum Kind {
        /** The image, manifest or blob does not exist. */
        NOT_FOUND,
        /** Credentials are missing, refused, or not allowed to read the repository. */
        UNAUTHORIZED,
        /** Content does not match its digest or size. */
        DIGEST_MISMATCH,
        /** Content is larger than a configured limit. */
        TOO_LARGE,
        /** A well-formed answer locald cannot use (media type, schema, platform). */
        UNSUPPORTED,
        /** The registry could not be reached or kept failing after the retries. */
        UNREACHABLE,
        /** The registry answered with something malformed or unexpected. */
        INVALID
    }

    private final Kind kind;

    public RegistryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public RegistryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
