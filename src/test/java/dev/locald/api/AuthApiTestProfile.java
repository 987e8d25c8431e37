package dev.locald.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/** The scripted executor behind a tokens file: one admin, two builders (one limited to an image prefix). */
public class AuthApiTestProfile implements QuarkusTestProfile {
    static final Path DIR = Path.of("target/locald-auth-test");
    static final Path TOKENS = DIR.resolve("tokens");
    static final String ADMIN = "admin-secret-token";
    static final String ALICE = "alice-secret-token";
    static final String BOB = "bob-secret-token";

    static String line(String name, String role, String token, String extra) {
        return name + " " + role + " sha256:" + HexFormat.of().formatHex(ApiTokens.sha256(token))
                + (extra.isEmpty() ? "" : " " + extra) + "\n";
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ScriptedBuildExecutor.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            Files.createDirectories(DIR);
            Files.writeString(
                    TOKENS,
                    "# test tokens\n\n" + line("root", "admin", ADMIN, "")
                            + line("alice", "builder", ALICE, "images=localhost:5000/apps/")
                            + "this line is malformed\n"
                            + line("bob", "builder", BOB, ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "locald.data-dir",
                DIR.resolve("data").toString(),
                "locald.auth.tokens-file",
                TOKENS.toString(),
                "locald.builds.max-concurrent",
                "1",
                "locald.builds.queue-capacity",
                "4");
    }
}
