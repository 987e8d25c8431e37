package dev.locald.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A credential for one registry: a username and password, or a registry token. The same value serves
 * locald's own pulls ({@link RegistryHttpClient}) and the lifecycle's {@code CNB_REGISTRY_AUTH}, which both
 * send {@link #authorizationHeader()}. {@link #toString()} never shows a secret, so a credential that ends up
 * in a log line or exception message leaks nothing.
 */
public sealed interface RegistryCredential {

    /** {@code Basic base64(user:password)} or {@code Bearer token}. */
    String authorizationHeader();

    /** Who is authenticating, for messages: the username, or "a token". Never a secret. */
    String describe();

    record Basic(String username, String password) implements RegistryCredential {
        public Basic {
            if (username == null || username.isEmpty() || username.indexOf(':') >= 0) {
                throw new IllegalArgumentException("a registry username must be non-empty and contain no ':'");
            }
            if (password == null) {
                throw new IllegalArgumentException("a registry password must not be null");
            }
            if (hasControl(username) || hasControl(password)) {
                throw new IllegalArgumentException("registry credentials must not contain control characters");
            }
        }

        @Override
        public String authorizationHeader() {
            return "Basic "
                    + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String describe() {
            return "user " + username;
        }

        @Override
        public String toString() {
            return "Basic[username=" + username + ", password=<redacted>]";
        }
    }

    /**
     * A registry token (docker's {@code registrytoken}): sent as {@code Authorization: Bearer <token>} to the
     * registry itself, never exchanged at a token service, as docker and go-containerregistry do.
     */
    record Bearer(String token) implements RegistryCredential {
        public Bearer {
            if (token == null || token.isEmpty() || hasControl(token) || token.indexOf(' ') >= 0) {
                throw new IllegalArgumentException(
                        "a registry token must be non-empty, without spaces or control characters");
            }
        }

        @Override
        public String authorizationHeader() {
            return "Bearer " + token;
        }

        @Override
        public String describe() {
            return "a token";
        }

        @Override
        public String toString() {
            return "Bearer[<redacted>]";
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }
}
