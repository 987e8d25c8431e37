package dev.locald.runtime;

/** Whether a container shares the host's network namespace or gets a new one (loopback only). */
public enum NetworkMode {
    HOST,
    ISOLATED
}
