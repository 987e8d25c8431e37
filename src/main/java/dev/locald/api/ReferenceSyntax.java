package dev.locald.api;

import dev.locald.image.ImageReference;
import java.util.Optional;

/**
 * The API's check of an image reference: exactly the parser the builds use ({@link ImageReference}),
 * so that a request is accepted only when its references will parse later, plus the API's own rule that
 * a target to publish to names a tag, not a digest.
 */
public final class ReferenceSyntax {

    /** How a reference may end. */
    public enum Kind {
        /** a tag, a digest, both or neither */
        ANY,
        /** no digest: a name to publish to */
        TAG_ONLY
    }

    private ReferenceSyntax() {}

    /** The parsed reference; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static ImageReference parse(String reference, Kind kind) {
        if (reference == null || reference.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        ImageReference parsed = ImageReference.parse(reference);
        if (kind == Kind.TAG_ONLY && parsed.digest().isPresent()) {
            throw new IllegalArgumentException("must name a tag to publish to, not a digest");
        }
        return parsed;
    }

    /** Empty when {@code reference} is valid, otherwise what is wrong with it. */
    public static Optional<String> problem(String reference, Kind kind) {
        try {
            parse(reference, kind);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
