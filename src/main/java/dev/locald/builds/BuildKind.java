package dev.locald.builds;

import java.util.Optional;

/** What a build does (docs/api.md, {@code kind}): build an app from source, or rebase a published app image. */
public enum BuildKind {
    /** The lifecycle's build phases on a source (the default, and the kind of every record written before kinds). */
    BUILD("build"),
    /** The lifecycle's rebaser on an app image: new run-image layers under the same app layers; no source. */
    REBASE("rebase");

    private final String wireName;

    BuildKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in requests and the build view. */
    public String wireName() {
        return wireName;
    }

    public static Optional<BuildKind> ofWireName(String name) {
        for (BuildKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
