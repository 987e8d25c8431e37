package dev.locald.lifecycle;

import java.util.Locale;

/** Network of a build (the request's {@code network}) or of one phase container. */
public enum NetworkMode {
    /** The host's network namespace: registries (including loopback ones) and the internet reachable. */
    HOST,
    /** A private network namespace with only loopback. */
    NONE;

    public static NetworkMode parse(String text) {
        if (text != null) {
            for (NetworkMode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("network must be 'host' or 'none', not " + BuildpackRef.quote(text));
    }
}
