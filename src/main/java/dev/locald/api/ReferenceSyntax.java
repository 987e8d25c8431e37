package dev.locald.api;

import dev.locald.image.ImageReference;
import dev.locald.image.RegistryHosts;
import java.util.Optional;

/**
 * The API's check of an image reference: exactly the parser the builds use ({@link ImageReference}),
 * so that a request is accepted only when its references will parse later, plus the API's own rule that
 * a target to publish to names a tag, not a digest, and its rule on which registries a request may send
 * locald to ({@link #reachProblem}).
 */
public final class ReferenceSyntax {

    /** The key that lets requests name registries on this machine (docs/configuration.md). */
    public static final String ALLOW_LOOPBACK_KEY = "locald.registry.allow-loopback";

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

    /**
     * Like {@link #parse(String, Kind)}, and refused when the registry is one a request may not send locald to
     * ({@link #reachProblem}).
     */
    public static ImageReference parse(String reference, Kind kind, boolean allowLoopback) {
        ImageReference parsed = parse(reference, kind);
        reachProblem(parsed, allowLoopback).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return parsed;
    }

    /**
     * Why a request may not name {@code reference}'s registry, or empty: a link-local registry (169.254.0.0/16,
     * fe80::/10, where cloud metadata services answer) never, and one on this machine (loopback, localhost,
     * 0.0.0.0) only when {@value #ALLOW_LOOPBACK_KEY} is true, so that an API client cannot point locald at the
     * services of its own host (docs/security.md, "Threat model").
     */
    public static Optional<String> reachProblem(ImageReference reference, boolean allowLoopback) {
        if (reference.isLinkLocal()) {
            return Optional.of("names the registry " + reference.registry()
                    + ", a link-local address (169.254.0.0/16, fe80::/10): locald never contacts link-local"
                    + " registries, where cloud metadata services answer");
        }
        if (!allowLoopback && RegistryHosts.reachesThisMachine(reference.host())) {
            return Optional.of("names the registry " + reference.registry()
                    + ", which is on locald's own machine (loopback): registries on this machine are refused"
                    + " unless " + ALLOW_LOOPBACK_KEY + "=true");
        }
        return Optional.empty();
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
