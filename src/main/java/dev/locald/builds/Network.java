package dev.locald.builds;

/** The network the build's phases get: the host's, or none at all (loopback only). */
public enum Network {
    HOST("host"),
    NONE("none");

    private final String wireName;

    Network(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in requests and records. */
    public String wireName() {
        return wireName;
    }

    public static java.util.Optional<Network> ofWireName(String name) {
        for (Network n : values()) {
            if (n.wireName.equals(name)) {
                return java.util.Optional.of(n);
            }
        }
        return java.util.Optional.empty();
    }
}
