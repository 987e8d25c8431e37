package dev.locald.registry;

import java.util.Objects;

/**
 * A username and password (or token) for one registry. {@link #toString()} never shows the password, so a
 * credential that ends up in a log line or exception message leaks nothing.
 */
public record RegistryCredential(String username, String password) {

    public RegistryCredential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "RegistryCredential[username=" + username + ", password=<redacted>]";
    }
}
