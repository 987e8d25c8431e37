package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PhaseExitTest {

    @Test
    void sentencesForTheContractsExitCodes() {
        assertEquals("no buildpack detected for this app (detector exit 20)", PhaseExit.describe(Phase.DETECTOR, 20));
        assertEquals(
                "buildpack detection failed: a buildpack's detect step errored (detector exit 21)",
                PhaseExit.describe(Phase.DETECTOR, 21));
        assertEquals("a buildpack failed during build (builder exit 51)", PhaseExit.describe(Phase.BUILDER, 51));
        assertEquals("could not publish the image (exporter exit 62)", PhaseExit.describe(Phase.EXPORTER, 62));
        assertEquals(
                "could not analyze the previous image or access the registry (analyzer exit 32)",
                PhaseExit.describe(Phase.ANALYZER, 32));
        assertEquals("could not restore cached layers (restorer exit 42)", PhaseExit.describe(Phase.RESTORER, 42));
        assertTrue(PhaseExit.describe(Phase.ANALYZER, 11)
                .startsWith("the builder's lifecycle does not support the platform API"));
        assertTrue(PhaseExit.describe(Phase.EXPORTER, 2).contains("argument its lifecycle does not understand"));
        assertEquals(
                "the builder failed; see its log for the cause (builder exit 1)", PhaseExit.describe(Phase.BUILDER, 1));
        assertTrue(PhaseExit.describe(Phase.BUILDER, 12).contains("buildpack API"));
        assertTrue(PhaseExit.describe(Phase.EXPORTER, 3).contains("rejected its inputs"));
    }

    @Test
    void creatorPassesInnerPhaseCodesThrough() {
        assertEquals("no buildpack detected for this app (creator exit 20)", PhaseExit.describe(Phase.CREATOR, 20));
        assertEquals("a buildpack failed during build (creator exit 51)", PhaseExit.describe(Phase.CREATOR, 51));
        assertEquals("could not publish the image (creator exit 62)", PhaseExit.describe(Phase.CREATOR, 62));
    }

    @Test
    void unknownAndReservedRangesStillNameThePhaseAndCode() {
        assertEquals("the analyzer failed (analyzer exit 35)", PhaseExit.describe(Phase.ANALYZER, 35));
        assertEquals("could not publish the image (exporter exit 63)", PhaseExit.describe(Phase.EXPORTER, 63));
        assertEquals("the builder was killed by signal 9 (builder exit 137)", PhaseExit.describe(Phase.BUILDER, 137));
        assertEquals(
                "the detector failed with an unexpected exit code (detector exit 7)",
                PhaseExit.describe(Phase.DETECTOR, 7));
    }

    @Test
    void containerFateComesBeforeTheExitCode() {
        assertEquals(
                "the builder did not finish within its 15 min deadline and was stopped",
                PhaseExit.describe(
                        Phase.BUILDER,
                        new PhaseExit.Outcome(
                                137, Optional.of("SIGKILL"), true, false, false, Duration.ofMinutes(15))));
        assertEquals(
                "the build was cancelled during the exporter",
                PhaseExit.describe(
                        Phase.EXPORTER,
                        new PhaseExit.Outcome(143, Optional.of("SIGTERM"), false, true, false, Duration.ZERO)));
        assertEquals(
                "the builder ran out of memory and was killed",
                PhaseExit.describe(
                        Phase.BUILDER,
                        new PhaseExit.Outcome(137, Optional.empty(), false, false, true, Duration.ZERO)));
        assertEquals(
                "the detector was killed by signal SIGSEGV",
                PhaseExit.describe(
                        Phase.DETECTOR,
                        new PhaseExit.Outcome(139, Optional.of("SIGSEGV"), false, false, false, Duration.ZERO)));
        assertEquals(
                "a buildpack failed during build (builder exit 51)",
                PhaseExit.describe(Phase.BUILDER, PhaseExit.Outcome.exited(51)));
        assertTrue(PhaseExit.Outcome.exited(0).succeeded());
        assertFalse(new PhaseExit.Outcome(0, Optional.empty(), true, false, false, Duration.ofSeconds(5)).succeeded());
    }
}
