package dev.locald.image;

import java.util.Optional;

/**
 * When a build asks the registry for the images locald pulls itself (builder, lifecycle image) and when it
 * makes do with the image cache (docs/api.md, {@code pullPolicy}). Here, beside the other values every layer
 * shares, because the request, the build record and the puller all need it.
 */
public enum PullPolicy {
    /** Resolve the reference at the registry every time; an unreachable registry fails the build. */
    ALWAYS("always"),
    /**
     * Use the cached image when its tag was resolved within {@code locald.registry.tag-ttl} (a digest is always
     * current); else ask the registry, and fall back to the cached image with a warning when it is unreachable.
     */
    IF_NOT_PRESENT("if-not-present"),
    /** Cached images only; a build whose image is not cached fails. */
    NEVER("never");

    private final String wireName;

    PullPolicy(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in requests and the build view. */
    public String wireName() {
        return wireName;
    }

    public static Optional<PullPolicy> ofWireName(String name) {
        for (PullPolicy policy : values()) {
            if (policy.wireName.equals(name)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
