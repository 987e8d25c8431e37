package dev.locald.image;

import java.util.Optional;

/**
 * The network a build's phases get, and so each phase container: the host's network namespace, or a new
 * one with only loopback. Here, with the other values every layer shares, because the request, the phase
 * plan, the container engine and the synthetic {@code /etc/resolv.conf} all need it.
 */
public enum NetworkMode {
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
