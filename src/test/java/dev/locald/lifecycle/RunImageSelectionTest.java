package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunImageSelectionTest {

    static final List<BuilderMetadata.RunImage> RUNS = List.of(
            new BuilderMetadata.RunImage(
                    "index.docker.io/paketobuildpacks/run-jammy-base:latest",
                    List.of("gcr.io/paketo/run:latest", "localhost:5000/run:latest")),
            new BuilderMetadata.RunImage("other.example/run:2", List.of()));

    @TempDir
    Path tmp;

    @Test
    void requestWins() {
        assertEquals(
                ref("my.example/run:x"),
                RunImageSelection.select(Optional.of(ref("my.example/run:x")), RUNS, ref("gcr.io/me/app"), "b"));
    }

    @Test
    void mirrorOnTheTargetRegistryIsPreferred() {
        assertEquals(
                ref("gcr.io/paketo/run:latest"),
                RunImageSelection.select(Optional.empty(), RUNS, ref("gcr.io/me/app:1"), "b"));
        assertEquals(
                ref("localhost:5000/run:latest"),
                RunImageSelection.select(Optional.empty(), RUNS, ref("localhost:5000/me/app"), "b"));
    }

    @Test
    void primaryWhenItIsOnTheTargetRegistryOrNothingMatches() {
        // docker hub under any spelling matches the primary image before any mirror
        assertEquals(
                ref("index.docker.io/paketobuildpacks/run-jammy-base:latest"),
                RunImageSelection.select(Optional.empty(), RUNS, ref("me/app"), "b"));
        assertEquals(
                ref("index.docker.io/paketobuildpacks/run-jammy-base:latest"),
                RunImageSelection.select(Optional.empty(), RUNS, ref("quay.io/me/app"), "b"));
        // only the first entry is considered, as the analyzer does
        assertEquals(
                ref("index.docker.io/paketobuildpacks/run-jammy-base:latest"),
                RunImageSelection.select(Optional.empty(), RUNS, ref("other.example/me/app"), "b"));
    }

    @Test
    void noRunImageAnywhereIsAClearError() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RunImageSelection.select(Optional.empty(), List.of(), ref("x/y"), "tiny"));
        assertTrue(e.getMessage().startsWith("builder tiny names no run image"), e.getMessage());
    }

    @Test
    void readsRunTomlAndStackToml() {
        List<BuilderMetadata.RunImage> run = RunImages.fromRunToml("""
                [[images]]
                image = "r.example/run:1"
                mirrors = ["m.example/run:1"]

                [[images]]
                image = "r.example/run-alt:1"
                """);
        assertEquals(
                List.of(
                        new BuilderMetadata.RunImage("r.example/run:1", List.of("m.example/run:1")),
                        new BuilderMetadata.RunImage("r.example/run-alt:1", List.of())),
                run);
        List<BuilderMetadata.RunImage> stack = RunImages.fromStackToml("""
                [run-image]
                  image = "r.example/run:1"
                  mirrors = []
                [build-image]
                  image = "r.example/build:1"
                """);
        assertEquals(List.of(new BuilderMetadata.RunImage("r.example/run:1", List.of())), stack);
        assertEquals(List.of(), RunImages.fromStackToml(""));
        assertEquals(List.of(), RunImages.fromRunToml(""));
    }

    @Test
    void malformedRunTomlIsNamedWithoutQuotingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("[[images]\nsecret=1"));
        assertTrue(e.getMessage().startsWith("run.toml is not valid TOML"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("[[images]]\nmirrors=[]"));
        assertThrows(IllegalArgumentException.class, () -> RunImages.fromRunToml("images = 3"));
        assertThrows(
                IllegalArgumentException.class, () -> RunImages.fromRunToml("[[images]]\nimage=\"a\"\nmirrors=\"b\""));
    }

    @Test
    void runTomlRoundTripsWithTheRequestFirst() throws IOException {
        List<BuilderMetadata.RunImage> entries = RunToml.entries(Optional.of(ref("my.example/run:x")), RUNS);
        assertEquals("my.example/run:x", entries.get(0).image());
        assertEquals(3, entries.size());
        Path file = RunToml.write(tmp, entries, new CnbUser(1000, 1000));
        assertEquals(entries, RunImages.fromRunToml(Files.readString(file)));
        assertEquals(RUNS, RunToml.entries(Optional.empty(), RUNS));
    }

    @Test
    void configuredMirrorsFollowTheBuildersInEachEntryAndTheRequestsEntry() {
        // as locald.registry.mirrors rewrites a reference: the same repository on the mirror registry
        java.util.function.Function<String, List<String>> configured = image -> image.startsWith("index.docker.io/")
                        || image.startsWith("my.example/")
                ? List.of("mirror.example:5000/" + image.substring(image.indexOf('/') + 1), "gcr.io/paketo/run:latest")
                : List.of();
        List<BuilderMetadata.RunImage> entries =
                RunToml.entries(Optional.of(ref("my.example/run:x")), RUNS, configured);
        assertEquals(
                List.of(
                        new BuilderMetadata.RunImage(
                                "my.example/run:x", List.of("mirror.example:5000/run:x", "gcr.io/paketo/run:latest")),
                        new BuilderMetadata.RunImage(
                                "index.docker.io/paketobuildpacks/run-jammy-base:latest",
                                List.of(
                                        "gcr.io/paketo/run:latest",
                                        "localhost:5000/run:latest",
                                        "mirror.example:5000/paketobuildpacks/run-jammy-base:latest")),
                        RUNS.get(1)),
                entries);
        // a request naming the builder's run image (under any spelling) keeps the builder's mirrors for it, once
        List<BuilderMetadata.RunImage> same =
                RunToml.entries(Optional.of(ref(RUNS.get(0).image())), RUNS);
        assertEquals(2, same.size(), same.toString());
        assertEquals(RUNS.get(0).mirrors(), same.get(0).mirrors());
    }

    @Test
    void candidatesAreTriedOnTheTargetsRegistryFirstThenInRunTomlOrder() {
        BuilderMetadata.RunImage entry = new BuilderMetadata.RunImage(
                "origin.example/run:1",
                List.of("169.254.1.1:5000/run:1", "Not A Ref", "mirror.example:5000/run:1", "target.example/run:1"));
        assertEquals(
                List.of(ref("target.example/run:1"), ref("origin.example/run:1"), ref("mirror.example:5000/run:1")),
                RunImageSelection.candidates(entry, ref("target.example/me/app:1"), "b"));
        assertEquals(
                List.of(ref("origin.example/run:1"), ref("mirror.example:5000/run:1"), ref("target.example/run:1")),
                RunImageSelection.candidates(entry, ref("elsewhere.example/me/app:1"), "b"));
    }

    @Test
    void aRunImageThatIsNoReferenceIsNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RunImageSelection.select(
                        Optional.empty(),
                        List.of(new BuilderMetadata.RunImage("Bad/Run", List.of())),
                        ref("x/y"),
                        "b"));
        assertTrue(e.getMessage().startsWith("builder b names an invalid run image"), e.getMessage());
    }

    @Test
    void aRunImageOnALinkLocalRegistryIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RunImageSelection.select(
                        Optional.empty(),
                        List.of(new BuilderMetadata.RunImage("169.254.169.254/run:1", List.of())),
                        ref("x/y"),
                        "b"));
        assertTrue(e.getMessage().contains("on a link-local address"), e.getMessage());
        // a link-local mirror on the target's registry is no way around it
        assertThrows(
                IllegalArgumentException.class,
                () -> RunImageSelection.select(
                        Optional.empty(),
                        List.of(new BuilderMetadata.RunImage("r.example/run:1", List.of("[fe80::1]:5000/run:1"))),
                        ref("[fe80::1]:5000/app"),
                        "b"));
    }

    private static ImageReference ref(String reference) {
        return ImageReference.parse(reference);
    }
}
