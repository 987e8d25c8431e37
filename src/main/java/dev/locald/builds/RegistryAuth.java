package dev.locald.builds;

import java.util.Objects;

/**
 * Credentials for the target registry, given with one request. Kept in memory only: never part of a
 * build record, never logged ({@link #toString()} hides them), and registered with the build's redactor.
 */
public sealed interface RegistryAuth {

    record Basic(String username, String password) implements RegistryAuth {
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Basic[username=" + username + ", password=***]";
        }
    }

    record Token(String token) implements RegistryAuth {
        public Token {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "Token[***]";
        }
    }
}
