package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.NetworkMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildStoreTest {
    @TempDir
    Path dataDir;

    private static BuildSpec spec() {
        return new BuildSpec(
                "r.io/app",
                "r.io/builder:1",
                null,
                List.of("A"),
                List.of(),
                List.of("r.io/app:v1"),
                false,
                false,
                NetworkMode.HOST,
                Duration.ofMinutes(5),
                true,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void recordsSurviveAReload() throws Exception {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        BuildStore store = new BuildStore(dataDir);
        Build done = Build.queued(BuildId.random(), spec(), t0)
                .pulling(t0.plusSeconds(1))
                .phaseStarted("detect", t0.plusSeconds(2))
                .phaseFinished("detect", 0, Duration.ofMillis(1500))
                .succeeded(
                        new BuildResult("r.io/app", Digest.ofBytes(new byte[] {1}), List.of("r.io/app", "r.io/app:v1")),
                        t0.plusSeconds(5));
        store.create(Build.queued(done.id(), spec(), t0));
        store.save(done);
        Build failed = Build.queued(BuildId.random(), spec(), t0).pulling(t0).failed("no buildpack detected", t0);
        store.create(failed);

        List<Build> loaded = new BuildStore(dataDir).loadAll();
        loaded.sort(Comparator.comparing(b -> b.state().name()));
        assertEquals(
                List.of(failed, done).stream()
                        .sorted(Comparator.comparing(b -> b.state().name()))
                        .toList(),
                loaded);
        assertFalse(Files.exists(store.buildDir(done.id()).resolve("build.json.tmp")), "no temp file left");
    }

    @Test
    void theKindSurvivesAReloadAndRecordsWithoutOneAreBuilds() throws Exception {
        BuildStore store = new BuildStore(dataDir);
        BuildSpec base = spec();
        BuildSpec rebaseSpec = new BuildSpec(
                base.image(),
                null,
                "r.io/run:2",
                List.of(),
                List.of(),
                base.tags(),
                false,
                false,
                base.network(),
                null,
                false,
                null,
                null,
                null,
                null,
                BuildKind.REBASE);
        Build rebase = Build.queued(BuildId.random(), rebaseSpec, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        store.create(rebase);
        Build older = Build.queued(BuildId.random(), spec(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        store.create(older);
        // a record written before builds had a kind: the same JSON without the field
        Path record = store.buildDir(older.id()).resolve("build.json");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tree =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(record.toFile());
        com.fasterxml.jackson.databind.node.ObjectNode storedSpec =
                (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("spec");
        assertEquals("BUILD", storedSpec.path("kind").asText(), tree.toString());
        storedSpec.remove("kind");
        json.writeValue(record.toFile(), tree);
        assertFalse(Files.readString(record).contains("kind"), Files.readString(record));

        BuildStore reloaded = new BuildStore(dataDir);
        assertEquals(
                BuildKind.REBASE,
                reloaded.load(rebase.id()).orElseThrow().spec().kind());
        assertEquals(rebase, reloaded.load(rebase.id()).orElseThrow());
        assertEquals(
                BuildKind.BUILD, reloaded.load(older.id()).orElseThrow().spec().kind());
    }

    @Test
    void runningBuildsBecomeFailedOnRecovery() throws Exception {
        Instant t0 = Instant.now();
        BuildStore store = new BuildStore(dataDir);
        Build running = Build.queued(BuildId.random(), spec(), t0).pulling(t0).phaseStarted("build", t0);
        Build queued = Build.queued(BuildId.random(), spec(), t0);
        Build cancelled = Build.queued(BuildId.random(), spec(), t0).cancelled(t0);
        for (Build b : List.of(running, queued, cancelled)) {
            store.create(b);
        }
        BuildRecovery.Recovered recovered = new BuildRecovery(new BuildStore(dataDir)).recover(t0.plusSeconds(9));
        assertEquals(3, recovered.all().size());
        assertEquals(2, recovered.interrupted().size());
        Build reloaded = new BuildStore(dataDir).load(running.id()).orElseThrow();
        assertEquals(BuildState.FAILED, reloaded.state());
        assertEquals("locald stopped while this build was running", reloaded.error());
        assertEquals("build", reloaded.currentPhase());
        assertEquals(
                BuildState.FAILED,
                new BuildStore(dataDir).load(queued.id()).orElseThrow().state());
        assertEquals(cancelled, new BuildStore(dataDir).load(cancelled.id()).orElseThrow());
    }

    @Test
    void strayDirectoriesAndBrokenRecordsAreSkipped() throws Exception {
        BuildStore store = new BuildStore(dataDir);
        Build ok = Build.queued(BuildId.random(), spec(), Instant.now());
        store.create(ok);
        Files.createDirectories(dataDir.resolve("builds").resolve("not-an-id"));
        BuildId broken = BuildId.random();
        Files.createDirectories(store.buildDir(broken));
        Files.writeString(store.buildDir(broken).resolve("build.json"), "{ torn");
        assertEquals(List.of(ok), store.loadAll());
    }

    @Test
    void deleteRemovesRecordLogAndWorkDirWithoutFollowingLinks() throws Exception {
        BuildStore store = new BuildStore(dataDir);
        Build b = Build.queued(BuildId.random(), spec(), Instant.now());
        store.create(b);
        Path outside = Files.createDirectories(dataDir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Files.createDirectories(store.workDir(b.id()).resolve("layers"));
        Files.createSymbolicLink(store.workDir(b.id()).resolve("layers/escape"), outside);
        store.delete(b.id());
        assertFalse(Files.exists(store.workDir(b.id())));
        assertFalse(Files.exists(store.buildDir(b.id())));
        assertTrue(Files.exists(outside.resolve("keep.txt")), "the link's target survives");
        assertEquals(Optional.empty(), store.load(b.id()));
    }
}
