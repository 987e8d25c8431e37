package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The request's pack-style options as env of the phases that read them, per platform API (docs/lifecycle.md). */
class PhasePlanOptionsTest {

    static final CnbUser USER = new CnbUser(1001, 1002);
    static final String SUPPORTED = "dev.locald.lifecycle.PlatformApiNegotiation#LOCALD_SUPPORTED";
    static final PlatformApi V015 = PlatformApi.parse("0.15");
    static final PlanOptions.Extras ALL = new PlanOptions.Extras(
            Optional.of("worker"),
            Optional.of(1714564800L),
            Optional.of(ImageReference.parse("registry.example:5000/team/app:previous")),
            Optional.of("test"),
            true);

    static Stream<PlatformApi> below015() {
        return PlatformApiNegotiation.LOCALD_SUPPORTED.stream().filter(a -> !a.atLeast(V015));
    }

    static PlanOptions options(PlanOptions.Extras extras) {
        return PlanOptions.builder(ImageReference.parse("registry.example:5000/team/app:latest"), USER)
                .extras(extras)
                .build();
    }

    static Map<String, Map<String, String>> envByPhase(PhasePlan plan) {
        return plan.phases().stream().collect(Collectors.toMap(p -> p.phase().id(), PhaseSpec::env));
    }

    @Test
    void negotiationOffers015() {
        assertEquals(
                V015, PlatformApiNegotiation.LOCALD_SUPPORTED.get(PlatformApiNegotiation.LOCALD_SUPPORTED.size() - 1));
    }

    @Test
    void fivePhasesAt015GetEachOptionWhereTheLifecycleReadsIt() {
        Map<String, Map<String, String>> env = envByPhase(PhasePlan.create(V015, false, options(ALL)));
        assertEquals(
                "registry.example:5000/team/app:previous", env.get("analyzer").get("CNB_PREVIOUS_IMAGE"));
        for (String phase : new String[] {"detector", "restorer", "builder", "exporter"}) {
            assertFalse(env.get(phase).containsKey("CNB_PREVIOUS_IMAGE"), phase);
        }
        assertEquals("worker", env.get("exporter").get("CNB_PROCESS_TYPE"));
        assertEquals("1714564800", env.get("exporter").get("SOURCE_DATE_EPOCH"));
        for (String phase : new String[] {"analyzer", "detector", "restorer", "builder"}) {
            assertFalse(env.get(phase).containsKey("CNB_PROCESS_TYPE"), phase);
            assertFalse(env.get(phase).containsKey("SOURCE_DATE_EPOCH"), phase);
        }
        // like pack: every phase of a 0.15 build knows the execution environment
        env.forEach((phase, e) -> assertEquals("test", e.get("CNB_EXEC_ENV"), phase));
        assertEquals("/layers/system.toml", env.get("detector").get("CNB_SYSTEM_PATH"));
        env.forEach((phase, e) -> {
            if (!phase.equals("detector")) {
                assertFalse(e.containsKey("CNB_SYSTEM_PATH"), phase);
            }
        });
    }

    @Test
    void creatorAt015GetsThemAll() {
        PhasePlan plan = PhasePlan.create(V015, true, options(ALL));
        Map<String, String> env = plan.phases().get(0).env();
        assertEquals("creator", plan.phases().get(0).phase().id());
        assertEquals("registry.example:5000/team/app:previous", env.get("CNB_PREVIOUS_IMAGE"));
        assertEquals("worker", env.get("CNB_PROCESS_TYPE"));
        assertEquals("1714564800", env.get("SOURCE_DATE_EPOCH"));
        assertEquals("test", env.get("CNB_EXEC_ENV"));
        assertEquals("/layers/system.toml", env.get("CNB_SYSTEM_PATH"));
        assertTrue(plan.warnings().isEmpty(), plan.warnings().toString());
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void noOptionsNoEnv(PlatformApi api) {
        for (boolean trusted : new boolean[] {true, false}) {
            PhasePlan plan = PhasePlan.create(api, trusted, options(PlanOptions.Extras.NONE));
            for (PhaseSpec p : plan.phases()) {
                for (String name : new String[] {
                    "CNB_PREVIOUS_IMAGE", "CNB_PROCESS_TYPE", "SOURCE_DATE_EPOCH", "CNB_EXEC_ENV", "CNB_SYSTEM_PATH"
                }) {
                    assertFalse(p.env().containsKey(name), api + " " + p.phase().id() + " " + name);
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void previousImageProcessTypeAndCreationTimeAtEveryApi(PlatformApi api) {
        PlanOptions.Extras x = new PlanOptions.Extras(
                ALL.defaultProcess(), ALL.sourceDateEpoch(), ALL.previousImage(), Optional.empty(), false);
        Map<String, String> creator =
                PhasePlan.create(api, true, options(x)).phases().get(0).env();
        assertEquals("worker", creator.get("CNB_PROCESS_TYPE"));
        assertEquals("1714564800", creator.get("SOURCE_DATE_EPOCH"));
        assertEquals("registry.example:5000/team/app:previous", creator.get("CNB_PREVIOUS_IMAGE"));
    }

    @ParameterizedTest
    @MethodSource("below015")
    void execEnvOtherThanProductionBelow015FailsWithASentence(PlatformApi api) {
        IncompatiblePlatformApiException e =
                assertThrows(IncompatiblePlatformApiException.class, () -> PhasePlan.create(api, true, options(ALL)));
        assertTrue(
                e.getMessage().startsWith("execEnv test needs platform API 0.15, but this build runs at " + api),
                e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("below015")
    void productionAndDisableBelow015AreNotedNotSet(PlatformApi api) {
        PlanOptions.Extras x = new PlanOptions.Extras(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("production"), true);
        for (boolean trusted : new boolean[] {true, false}) {
            PhasePlan plan = PhasePlan.create(api, trusted, options(x));
            assertEquals(
                    2,
                    plan.warnings().stream()
                            .filter(w -> w.startsWith("execEnv production") || w.startsWith("disableSystemBuildpacks"))
                            .count(),
                    plan.warnings().toString());
            plan.phases().forEach(p -> {
                assertFalse(p.env().containsKey("CNB_EXEC_ENV"), p.phase().id());
                assertFalse(p.env().containsKey("CNB_SYSTEM_PATH"), p.phase().id());
            });
        }
    }

    @Test
    void previousImageNeedsCredentialsLikeTheOtherImages() {
        assertTrue(options(ALL).registryImages().contains(ALL.previousImage().orElseThrow()));
    }

    @Test
    void valuesThatCouldNotBeEnvTokensAreRefused() {
        for (String bad : new String[] {"", ".", "..", "a b", "web;rm", "x/y", "é"}) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new PlanOptions.Extras(
                            Optional.of(bad), Optional.empty(), Optional.empty(), Optional.empty(), false),
                    bad);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new PlanOptions.Extras(
                            Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(bad), false),
                    bad);
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new PlanOptions.Extras(
                        Optional.empty(), Optional.of(-1L), Optional.empty(), Optional.empty(), false));
    }

    @Test
    void networkDoesNotMatterForTheOptions() {
        PlanOptions o = PlanOptions.builder(ImageReference.parse("registry.example:5000/team/app:latest"), USER)
                .network(NetworkMode.NONE)
                .extras(ALL)
                .build();
        // a trusted builder without network takes the five-phase path, with the same env
        assertEquals(5, PhasePlan.create(V015, true, o).phases().size());
        assertEquals(
                "worker",
                envByPhase(PhasePlan.create(V015, true, o)).get("exporter").get("CNB_PROCESS_TYPE"));
    }
}
