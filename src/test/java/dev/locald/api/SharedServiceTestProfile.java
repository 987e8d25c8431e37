package dev.locald.api;

import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import dev.locald.builds.BuildResult;
import dev.locald.builds.BuildSpec;
import dev.locald.builds.BuildStore;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.image.NetworkMode;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * locald as a shared service, started on a data dir a previous locald left behind: tokens, registries on this
 * machine refused (the production default), and build records written by {@link BuildStore} before this
 * start — one finished build of alice's and one of bob's, and one of alice's that was still queued when that
 * locald stopped. The directory is per JVM, written once, because Quarkus may ask for the overrides again.
 */
public class SharedServiceTestProfile implements QuarkusTestProfile {
    static final Path ROOT = Path.of("target");
    static final String PREFIX = "locald-shared-test-";
    static final Path DIR = ROOT.resolve(PREFIX + ProcessHandle.current().pid());
    static final String ADMIN = "shared-admin-token";
    static final String ALICE = "shared-alice-token";
    static final String BOB = "shared-bob-token";
    static final BuildId ALICE_DONE = new BuildId("6d1f1a54-7e0b-4f2c-9a3e-1b2c3d4e5f60");
    static final BuildId ALICE_INTERRUPTED = new BuildId("6d1f1a54-7e0b-4f2c-9a3e-1b2c3d4e5f61");
    static final BuildId BOB_DONE = new BuildId("6d1f1a54-7e0b-4f2c-9a3e-1b2c3d4e5f62");

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ScriptedBuildExecutor.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            prepareOnce();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "locald.data-dir",
                DIR.resolve("data").toString(),
                "locald.auth.tokens-file",
                DIR.resolve("tokens").toString(),
                "locald.registry.allow-loopback",
                "false",
                "locald.builds.max-concurrent",
                "1");
    }

    private static synchronized void prepareOnce() throws IOException {
        if (Files.isDirectory(DIR)) {
            return;
        }
        try (DirectoryStream<Path> old = Files.newDirectoryStream(ROOT, PREFIX + "*")) {
            for (Path dir : old) {
                TreeDeleter.deleteTree(dir);
            }
        }
        Files.createDirectories(DIR);
        Files.writeString(
                DIR.resolve("tokens"),
                AuthApiTestProfile.line("root", "admin", ADMIN, "")
                        + AuthApiTestProfile.line("alice", "builder", ALICE, "images=registry.example/apps/")
                        + AuthApiTestProfile.line("bob", "builder", BOB, ""));
        BuildStore before = new BuildStore(DIR.resolve("data"));
        Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
        Build aliceDone = Build.queued(ALICE_DONE, spec("registry.example/apps/a", "alice"), t0);
        before.create(aliceDone);
        before.save(aliceDone
                .pulling(t0.plusSeconds(1))
                .succeeded(
                        new BuildResult(
                                "registry.example/apps/a",
                                Digest.ofBytes(new byte[] {1}),
                                List.of("registry.example/apps/a")),
                        t0.plusSeconds(9)));
        Build bobDone = Build.queued(BOB_DONE, spec("registry.example/bob/b", "bob"), t0);
        before.create(bobDone);
        before.save(bobDone.pulling(t0.plusSeconds(1)).failed("no buildpack detected", t0.plusSeconds(3)));
        before.create(Build.queued(ALICE_INTERRUPTED, spec("registry.example/apps/c", "alice"), t0.plusSeconds(20)));
    }

    private static BuildSpec spec(String image, String owner) {
        return new BuildSpec(
                image,
                "registry.example/builders/b:1",
                null,
                List.of(),
                List.of(),
                List.of(),
                false,
                false,
                NetworkMode.HOST,
                null,
                false,
                owner,
                null,
                null,
                null,
                null);
    }
}
