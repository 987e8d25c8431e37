package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import dev.locald.registry.RegistryCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BuildTest {
    private static final BuildSpec SPEC = new BuildSpec(
            "r.io/a",
            "r.io/b",
            null,
            List.of(),
            List.of(),
            List.of(),
            false,
            false,
            NetworkMode.NONE,
            null,
            false,
            null,
            null,
            null,
            null,
            null);

    @Test
    void walksThePhasesAndRecordsExitCodes() {
        Instant t = Instant.now();
        Build b = Build.queued(BuildId.random(), SPEC, t).pulling(t).phaseStarted("analyze", t);
        assertEquals(BuildState.RUNNING, b.state());
        assertEquals("analyze", b.currentPhase());
        b = b.phaseFinished("analyze", 0, Duration.ofSeconds(1)).phaseStarted("detect", t);
        b = b.phaseFinished("detect", 20, Duration.ofSeconds(2))
                .failed("no buildpack detected for this app (detector exit 20)", t);
        assertEquals(BuildState.FAILED, b.state());
        assertEquals(20, b.phases().get(1).exitCode());
        assertEquals(Duration.ofSeconds(2), b.phases().get(1).duration());
    }

    @Test
    void terminalStatesAreFinal() {
        Instant t = Instant.now();
        Build cancelled = Build.queued(BuildId.random(), SPEC, t).cancelled(t);
        assertThrows(IllegalStateException.class, () -> cancelled.pulling(t));
        assertThrows(IllegalStateException.class, () -> cancelled.failed("x", t));
        assertThrows(
                IllegalStateException.class,
                () -> Build.queued(BuildId.random(), SPEC, t).phaseStarted("x", t));
        assertThrows(
                IllegalStateException.class,
                () -> Build.queued(BuildId.random(), SPEC, t)
                        .pulling(t)
                        .phaseStarted("a", t)
                        .phaseFinished("b", 0, Duration.ZERO));
    }

    @Test
    void idsAreCanonicalUuidsOnly() {
        assertTrue(BuildId.parse(BuildId.random().value()).isPresent());
        for (String bad : new String[] {
            "../../etc",
            "..%2F",
            "",
            "3F0C1D2E-4B5A-4C6D-8E7F-0A1B2C3D4E5F",
            "3f0c1d2e-4b5a-4c6d-8e7f-0a1b2c3d4e5f/..",
            "3f0c1d2e4b5a4c6d8e7f0a1b2c3d4e5f"
        }) {
            assertFalse(BuildId.parse(bad).isPresent(), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new BuildId("x"));
    }

    @Test
    void cancellationRunsHooksOnceAndLateHooksAtOnce() {
        BuildCancellation c = new BuildCancellation();
        AtomicInteger runs = new AtomicInteger();
        c.onCancel(runs::incrementAndGet);
        c.cancel();
        c.cancel();
        assertEquals(1, runs.get());
        c.onCancel(runs::incrementAndGet);
        assertEquals(2, runs.get());
        assertTrue(c.isCancelled());
    }

    @Test
    void requestAndJobNeverPrintCredentials() {
        BuildRequest request = new BuildRequest(
                ImageReference.parse("r.io/a"),
                java.util.Optional.of(ImageReference.parse("r.io/b")),
                java.util.Optional.empty(),
                java.util.Map.of("K", "v"),
                java.util.Set.of(),
                List.of(),
                List.of(),
                false,
                false,
                NetworkMode.HOST,
                java.util.Optional.empty(),
                java.util.Optional.of(new RegistryCredential.Basic("u", "sekrit-pw")),
                BuildResources.DEFAULT,
                java.util.Map.of(),
                List.of(),
                BuildOptions.NONE,
                null,
                null);
        BuildJob job = new BuildJob(
                BuildId.random(),
                request,
                new BuildSource.Directory(java.nio.file.Path.of("/src")),
                java.nio.file.Path.of("/work"),
                Instant.now(),
                Instant.now(),
                Duration.ofMinutes(1));
        assertFalse(job.toString().contains("sekrit-pw"), job.toString());
        assertFalse(request.spec(null).toString().contains("sekrit-pw"));
        assertFalse(new RegistryCredential.Bearer("tkn-123").toString().contains("tkn-123"));

        // the image scope of a builder token: prefixes of the reference as the API prints it
        assertTrue(request.inScope(ImageReference.parse("r.io/anything")), "no scope: unrestricted");
        BuildRequest scoped = request.scopedTo(List.of("r.io/team-a/", "q.io/x"));
        assertEquals(List.of("r.io/team-a/", "q.io/x"), scoped.imageScope());
        assertTrue(scoped.inScope(ImageReference.parse("r.io/team-a/app:1")));
        assertTrue(scoped.inScope(ImageReference.parse("q.io/xyz")));
        assertFalse(scoped.inScope(ImageReference.parse("r.io/team-b/app")));
        assertFalse(scoped.inScope(ImageReference.parse("r.io/a")));
        assertEquals(request.image(), scoped.image());
        assertEquals(request.registryAuth(), scoped.registryAuth());
    }

    @Test
    void humanDurations() {
        assertEquals("1s", BuildDeadlines.human(Duration.ofSeconds(1)));
        assertEquals("30m", BuildDeadlines.human(Duration.ofMinutes(30)));
        assertEquals("1h30m5s", BuildDeadlines.human(Duration.ofSeconds(5405)));
        assertEquals("500ms", BuildDeadlines.human(Duration.ofMillis(500)));
    }
}
