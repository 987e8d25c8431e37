package dev.locald.image;

import java.util.Optional;

/**
 * The network a build's phases get, and so each phase container: a network namespace of its own with
 * outbound access through a user-mode stack (the default), the host's network namespace, or a new one
 * with only loopback (docs/engine.md, Network). Here, with the other values every layer shares, because the request, the phase
 * plan, the container engine and the synthetic {@code /etc/resolv.conf} all need it.
 */
public enum NetworkMode {
    /**
     * A network namespace of its own per container with outbound access through pasta: no route to the
     * host's own addresses or to link-local ones; only the host loopback ports the container is given.
     */
    ISOLATED("isolated"),
    /** The host's network namespace: registries (including loopback ones) and the internet reachable. */
    HOST("host"),
    /** A private network namespace with only loopback. */
    NONE("none");

    private final String wireName;

    NetworkMode(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in requests and records. */
    public String wireName() {
        return wireName;
    }

    public static Optional<NetworkMode> ofWireName(String name) {
        for (NetworkMode mode : values()) {
            if (mode.wireName.equals(name)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
