package dev.locald.lifecycle;

import dev.locald.image.ImageReference;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a builder may run as one {@code creator} holding the registry credentials: the request
 * says so ({@code trustBuilder}) or the operator listed the builder's repository
 * ({@code locald.lifecycle.trusted-builders}). Like pack's trusted list, an entry names a repository, so every
 * tag and digest of it is trusted; a listed builder runs as creator even without the flag, as with pack. The
 * list is also the trust policy of {@code builder} API tokens: they may set {@code trustBuilder} only for a
 * listed builder (docs/security.md).
 */
public final class TrustedBuilders {

    /** The entry that trusts nothing (an empty value would bring the default list back). */
    public static final String NONE = "none";

    private final Set<String> repositories;

    /**
     * @param configured operator-listed builder references; tags and digests are ignored
     * @throws IllegalArgumentException naming an entry that is no valid image reference
     */
    public TrustedBuilders(List<String> configured) {
        this.repositories = configured == null
                ? Set.of()
                : configured.stream()
                        .map(String::strip)
                        .filter(s -> !s.isEmpty() && !s.equals(NONE))
                        .map(s -> ImageReference.parse(s).repositoryKey())
                        .collect(Collectors.toUnmodifiableSet());
    }

    public boolean isTrusted(ImageReference builder, boolean requestTrusts) {
        return requestTrusts || isListed(builder);
    }

    /** Whether the operator listed the builder's repository. */
    public boolean isListed(ImageReference builder) {
        return repositories.contains(builder.repositoryKey());
    }
}
