package dev.locald.lifecycle;

import dev.locald.image.ImageReference;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a builder may run as one {@code creator} holding the registry credentials: the request
 * says so ({@code trustBuilder}) or the operator listed the builder's repository. Like pack's trusted list,
 * an entry names a repository, so every tag and digest of it is trusted.
 */
public final class TrustedBuilders {

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
                        .filter(s -> !s.isEmpty())
                        .map(s -> ImageReference.parse(s).repositoryKey())
                        .collect(Collectors.toUnmodifiableSet());
    }

    public boolean isTrusted(ImageReference builder, boolean requestTrusts) {
        return requestTrusts || repositories.contains(builder.repositoryKey());
    }
}
