package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunImageSelectionTest {

    static final List<RunImageEntry> RUNS = List.of(
            new RunImageEntry("index.docker.io/paketobuildpacks/run-jammy-base:latest",
                    List.of("gcr.io/paketo/run:latest", "localhost:5000/run:latest")),
            new RunImageEntry("other.example/run:2", List.of()));

    @TempDir
    Path tmp;

    @Test
    void requestWins() {
        assertEquals("my.example/run:x", RunImageSelection.select(Optional.of("my.example/run:x"), RUNS, "gcr.io/me/app", "b"));
    }

    @Test
    void mirrorOnTheTargetRegistryIsPreferred() {
        assertEquals("gcr.io/paketo/run:latest", RunImageSelection.select(Optional.empty(), RUNS, "gcr.io/me/app:1", "b"));
        assertEquals("localhost:5000/run:latest", RunImageSelection.select(Optional.empty(), RUNS, "localhost:5000/me/app", "b"));
    }

    @Test
    void primaryWhenItIsOnTheTargetRegistryOrNothingMatches() {
        // docker hub under any spelling matches the primary image before any mirror
        assertEquals("index.docker.io/paketobuildpacks/run-jammy-base:latest",
                RunImageSelection.select(Optional.empty(), RUNS, "me/app", "b"));
        assertEquals("index.docker.io/paketobuildpacks/run-jammy-base:latest",
                RunImageSelection.select(Optional.empty(), RUNS, "quay.io/me/app", "b"));
        // only the first entry is considered, as the analyzer does
        assertEquals("index.docker.io/paketobuildpacks/run-jammy-base:latest",
                RunImageSelection.select(Optional.empty(), RUNS, "other.example/me/app", "b"));
    }

    @Test
    void noRunImageAnywhereIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunImageSelection.select(Optional.empty(), List.of(), "x/y", "tiny"));
        assertTrue(e.getMessage().startsWith("builder tiny names no run image"), e.getMessage());
    }

    @Test
    void readsRunTomlAndStackToml() {
        List<RunImageEntry> run = RunImages.fromRunToml("""
                [[images]]
                image = "r.example/run:1"
                mirrors = ["m.example/run:1"]

                [[images]]
                image = "r.example/run-alt:1"
                """);
        assertEquals(List.of(new RunImageEntry("r.example/run:1", List.of("m.example/run:1")),
                new RunImageEntry("r.example/run-alt:1", List.of())), run);
        List<RunImageEntry> stack = RunImages.fromStackToml("""
                [run-image]
                  image = "r.example/run:1"
                  mirrors = []
                [build-image]
                  image = "r.example/build:1"
                """);
        assertEquals(List.of(new RunImageEntry("r.example/run:1", List.of())), stack);
        assertEquals(List.of(), RunImages.fromStackToml(""));
        assertEquals(List.of(), RunImages.fromRunToml(""));
    }

    @Test
    void malformedRunTomlIsNamedWithoutQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("[[images]\nsecret=1"));
        assertTrue(e.getMessage().startsWith("run.toml is not valid TOML"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("[[images]]\nmirrors=[]"));
        assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("images = 3"));
        assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("[[images]]\nimage=\"a\"\nmirrors=\"b\""));
    }

    @Test
    void runTomlRoundTripsWithTheRequestFirst() throws IOException {
        List<RunImageEntry> entries = RunToml.entries(Optional.of("my.example/run:x"), RUNS);
        assertEquals("my.example/run:x", entries.get(0).image());
        assertEquals(3, entries.size());
        Path file = RunToml.write(tmp, entries, new CnbUser(1000, 1000));
        assertEquals(entries, RunImages.fromRunToml(Files.readString(file)));
        assertEquals(RUNS, RunToml.entries(Optional.empty(), RUNS));
    }

    @Test
    void registryHostFollowsDockerRules() {
        assertEquals("index.docker.io", RegistryHost.of("busybox"));
        assertEquals("index.docker.io", RegistryHost.of("library/busybox:1"));
        assertEquals("index.docker.io", RegistryHost.of("docker.io/library/busybox"));
        assertEquals("localhost", RegistryHost.of("localhost/app"));
        assertEquals("127.0.0.1:5000", RegistryHost.of("127.0.0.1:5000/app@sha256:abc"));
        assertEquals("gcr.io", RegistryHost.of("GCR.io/x/y"));
        assertEquals("index.docker.io/library/busybox", RegistryHost.repository("busybox:latest"));
        assertEquals("index.docker.io/library/busybox", RegistryHost.repository("docker.io/busybox"));
        assertEquals("localhost:5000/team/app", RegistryHost.repository("localhost:5000/team/app:v1"));
        assertEquals("localhost:5000/team/app", RegistryHost.repository("localhost:5000/team/app@sha256:" + "a".repeat(64)));
        assertEquals("index.docker.io/me/app", RegistryHost.repository("me/app"));
    }
}
