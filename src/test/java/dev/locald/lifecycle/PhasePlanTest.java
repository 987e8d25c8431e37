package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhasePlanTest {

    static final CnbUser USER = new CnbUser(1001, 1002);
    static final String IMAGE = "registry.example:5000/team/app:latest";

    /** Each case states only what differs from these defaults. */
    static PlanOptions.Builder options() {
        return PlanOptions.builder(IMAGE, USER);
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, String> common(String api) {
        return env("CNB_PLATFORM_API", api, "CNB_LAYERS_DIR", "/layers", "CNB_LOG_LEVEL", "info", "CNB_NO_COLOR", "true",
                "CNB_USER_ID", "1001", "CNB_GROUP_ID", "1002");
    }

    private static Map<String, String> plus(Map<String, String> base, String... kv) {
        Map<String, String> m = new TreeMap<>(base);
        m.putAll(env(kv));
        return m;
    }

    private static String mounts(PhaseSpec p) {
        return p.mounts().stream().map(m -> m.containerPath() + ":" + m.source() + (m.readOnly() ? ":ro" : ":rw"))
                .collect(Collectors.joining(" "));
    }

    /** The golden five-phase plan for an untrusted builder, with cache, tags, run image and insecure registry. */
    @ParameterizedTest
    @ValueSource(strings = {"0.13", "0.14"})
    void untrustedGoldenAt013And014(String api) {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse(api), false, options()
                .tags(List.of("registry.example:5000/team/app:v1"))
                .runImage("registry.example:5000/run:base")
                .insecure(List.of("registry.example:5000"))
                .build());
        assertFalse(plan.usesCreator());
        assertTrue(plan.needsLifecycleImage());
        assertEquals(List.of(), plan.warnings());
        assertEquals(List.of(Phase.ANALYZER, Phase.DETECTOR, Phase.RESTORER, Phase.BUILDER, Phase.EXPORTER),
                plan.phases().stream().map(PhaseSpec::phase).toList());
        Map<String, String> registry = plus(common(api), "CNB_USE_DAEMON", "false",
                "CNB_INSECURE_REGISTRIES", "registry.example:5000");

        PhaseSpec analyzer = plan.phases().get(0);
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, analyzer.image());
        assertEquals(List.of("/cnb/lifecycle/analyzer", "-tag", "registry.example:5000/team/app:v1", IMAGE), analyzer.argv());
        assertEquals(plus(registry, "CNB_ANALYZED_PATH", "/layers/analyzed.toml", "CNB_RUN_PATH", "/layers/run.toml",
                "CNB_RUN_IMAGE", "registry.example:5000/run:base"), analyzer.env());
        assertEquals("/layers:LAYERS:rw", mounts(analyzer));
        assertTrue(analyzer.registryAuth());
        assertEquals(NetworkMode.HOST, analyzer.network());

        PhaseSpec detector = plan.phases().get(1);
        assertEquals(PhaseImage.BUILDER, detector.image());
        assertEquals(List.of("/cnb/lifecycle/detector"), detector.argv());
        assertEquals(plus(common(api), "CNB_APP_DIR", "/workspace", "CNB_PLATFORM_DIR", "/platform",
                "CNB_ANALYZED_PATH", "/layers/analyzed.toml", "CNB_GROUP_PATH", "/layers/group.toml",
                "CNB_PLAN_PATH", "/layers/plan.toml", "CNB_RUN_PATH", "/layers/run.toml"), detector.env());
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:rw /platform:PLATFORM:ro", mounts(detector));
        assertFalse(detector.registryAuth());

        PhaseSpec restorer = plan.phases().get(2);
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, restorer.image());
        assertEquals(List.of("/cnb/lifecycle/restorer"), restorer.argv());
        assertEquals(plus(registry, "CNB_ANALYZED_PATH", "/layers/analyzed.toml", "CNB_GROUP_PATH", "/layers/group.toml",
                "CNB_RUN_PATH", "/layers/run.toml", "CNB_CACHE_DIR", "/cache"), restorer.env());
        assertEquals("/layers:LAYERS:rw /cache:CACHE:rw", mounts(restorer));
        assertTrue(restorer.registryAuth());

        PhaseSpec builder = plan.phases().get(3);
        assertEquals(PhaseImage.BUILDER, builder.image());
        assertEquals(List.of("/cnb/lifecycle/builder"), builder.argv());
        assertEquals(plus(common(api), "CNB_APP_DIR", "/workspace", "CNB_PLATFORM_DIR", "/platform",
                "CNB_ANALYZED_PATH", "/layers/analyzed.toml", "CNB_GROUP_PATH", "/layers/group.toml",
                "CNB_PLAN_PATH", "/layers/plan.toml"), builder.env());
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:rw /platform:PLATFORM:ro", mounts(builder));
        assertFalse(builder.registryAuth());

        PhaseSpec exporter = plan.phases().get(4);
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, exporter.image());
        assertEquals(List.of("/cnb/lifecycle/exporter", IMAGE, "registry.example:5000/team/app:v1"), exporter.argv());
        assertEquals(plus(registry, "CNB_APP_DIR", "/workspace", "CNB_ANALYZED_PATH", "/layers/analyzed.toml",
                "CNB_GROUP_PATH", "/layers/group.toml", "CNB_REPORT_PATH", "/layers/report.toml",
                "CNB_RUN_PATH", "/layers/run.toml", "CNB_CACHE_DIR", "/cache"), exporter.env());
        assertFalse(exporter.env().containsKey("CNB_RUN_IMAGE"), "the exporter exits 3 when given a run image");
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:ro /cache:CACHE:rw", mounts(exporter));
        assertTrue(exporter.registryAuth());

        for (PhaseSpec p : plan.phases()) {
            assertEquals(USER, p.user(), p.phase() + " runs as the CNB user");
        }
    }

    /** The lifecycle reads the env at every API (only the flag is from 0.13 on): registry phases get it at 0.12 too. */
    @ParameterizedTest
    @ValueSource(strings = {"0.12", "0.13", "0.14"})
    void insecureRegistriesArePassedToRegistryPhasesAtEveryApi(String api) {
        for (boolean trusted : new boolean[] {false, true}) {
            PhasePlan plan = PhasePlan.create(PlatformApi.parse(api), trusted, options()
                    .insecure(List.of("registry.example:5000", "other.example")).build());
            assertEquals(List.of(), plan.warnings());
            for (PhaseSpec p : plan.phases()) {
                assertEquals(api, p.env().get("CNB_PLATFORM_API"));
                assertEquals(p.registryAuth() ? "registry.example:5000,other.example" : null,
                        p.env().get("CNB_INSECURE_REGISTRIES"), p.phase().id());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.12", "0.13", "0.14"})
    void trustedGoldenIsOneCreator(String api) {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse(api), true, options()
                .tags(List.of("registry.example:5000/team/app:v1", "registry.example:5000/team/app:v2"))
                .runImage("registry.example:5000/run:base").customOrder(true).clearCache(true).build());
        assertTrue(plan.usesCreator());
        assertFalse(plan.needsLifecycleImage());
        PhaseSpec creator = plan.phases().get(0);
        assertEquals(PhaseImage.BUILDER, creator.image());
        assertEquals(List.of("/cnb/lifecycle/creator", "-tag", "registry.example:5000/team/app:v1",
                "-tag", "registry.example:5000/team/app:v2", IMAGE), creator.argv());
        assertEquals(plus(common(api), "CNB_USE_DAEMON", "false", "CNB_APP_DIR", "/workspace",
                "CNB_PLATFORM_DIR", "/platform", "CNB_ANALYZED_PATH", "/layers/analyzed.toml",
                "CNB_GROUP_PATH", "/layers/group.toml", "CNB_PLAN_PATH", "/layers/plan.toml",
                "CNB_REPORT_PATH", "/layers/report.toml", "CNB_RUN_PATH", "/layers/run.toml",
                "CNB_RUN_IMAGE", "registry.example:5000/run:base", "CNB_ORDER_PATH", "/layers/order.toml",
                "CNB_SKIP_RESTORE", "true", "CNB_CACHE_DIR", "/cache"), creator.env());
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:rw /platform:PLATFORM:ro /cache:CACHE:rw", mounts(creator));
        assertTrue(creator.registryAuth());
        assertEquals(NetworkMode.HOST, creator.network());
        assertEquals(USER, creator.user());
    }

    @Test
    void trustedBuilderWithoutNetworkSplitsPhasesAllOnTheBuilder() {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.13"), true, options().network(NetworkMode.NONE).build());
        assertFalse(plan.usesCreator());
        assertEquals(5, plan.phases().size());
        for (PhaseSpec p : plan.phases()) {
            assertEquals(PhaseImage.BUILDER, p.image(), p.phase().id());
            NetworkMode expected = p.phase() == Phase.DETECTOR || p.phase() == Phase.BUILDER ? NetworkMode.NONE : NetworkMode.HOST;
            assertEquals(expected, p.network(), p.phase().id());
        }
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void untrustedWithoutLifecycleImageWarnsAndUsesTheBuilder() {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.14"), false, options().lifecycleImage(false).build());
        assertFalse(plan.needsLifecycleImage());
        assertEquals(1, plan.warnings().size());
        assertTrue(plan.warnings().get(0).contains("untrusted builder's own lifecycle"), plan.warnings().get(0));
    }

    @Test
    void onlyAnalyzerRestorerExporterAndCreatorEverGetCredentials() {
        RegistryAuthEnv auth = RegistryAuthEnv.of(Map.of(),
                Map.of("registry.example:5000", new RegistryCredential.Basic("u", "p")));
        List<String> imageEnv = List.of("PATH=/usr/bin", "CNB_REGISTRY_AUTH={\"evil.example\":\"Basic x\"}");
        for (boolean trusted : new boolean[] {true, false}) {
            for (NetworkMode net : NetworkMode.values()) {
                PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.13"), trusted, options().network(net).build());
                for (PhaseSpec p : plan.phases()) {
                    List<String> env = p.processEnv(imageEnv, auth);
                    List<String> authEntries = env.stream().filter(e -> e.startsWith("CNB_REGISTRY_AUTH=")).toList();
                    if (p.phase() == Phase.DETECTOR || p.phase() == Phase.BUILDER) {
                        assertEquals(List.of(), authEntries, p.phase().id() + " must not see credentials");
                        assertFalse(p.registryAuth());
                    } else {
                        assertEquals(List.of("CNB_REGISTRY_AUTH=" + auth.json()), authEntries, p.phase().id());
                    }
                    assertFalse(p.env().containsKey("CNB_REGISTRY_AUTH"));
                }
            }
        }
    }

    @Test
    void processEnvKeepsImageEnvButPlatformSettingsWin() {
        PhaseSpec detector = PhasePlan.create(PlatformApi.parse("0.13"), false, options().build()).phases().get(1);
        List<String> env = detector.processEnv(List.of("PATH=/cnb/bin:/usr/bin", "CNB_PLATFORM_API=0.3", "CNB_STACK_ID=x",
                "NOEQUALS"), RegistryAuthEnv.none());
        assertTrue(env.contains("PATH=/cnb/bin:/usr/bin"));
        assertTrue(env.contains("CNB_STACK_ID=x"));
        assertTrue(env.contains("CNB_PLATFORM_API=0.13"));
        assertFalse(env.contains("CNB_PLATFORM_API=0.3"));
        assertFalse(env.stream().anyMatch(e -> e.startsWith("NOEQUALS")));
        // no credentials at all: no CNB_REGISTRY_AUTH even for the analyzer
        PhaseSpec analyzer = PhasePlan.create(PlatformApi.parse("0.13"), false, options().build()).phases().get(0);
        assertFalse(analyzer.processEnv(List.of(), RegistryAuthEnv.none()).stream().anyMatch(e -> e.startsWith("CNB_REGISTRY_AUTH")));
    }

    @Test
    void withoutCacheNoPhaseMountsOrNamesIt() {
        for (boolean trusted : new boolean[] {true, false}) {
            PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.13"), trusted, options().cache(false).build());
            for (PhaseSpec p : plan.phases()) {
                assertTrue(p.mount(BuildDir.CACHE).isEmpty(), p.phase().id());
                assertFalse(p.env().containsKey("CNB_CACHE_DIR"), p.phase().id());
            }
        }
    }

    @Test
    void clearCacheSkipsLayerReuseOnAnalyzerAndRestorer() {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.13"), false, options().clearCache(true).build());
        for (int i : new int[] {0, 2}) {
            assertEquals("true", plan.phases().get(i).env().get("CNB_SKIP_LAYERS"));
            assertEquals("true", plan.phases().get(i).env().get("CNB_SKIP_RESTORE"), "the name every lifecycle version maps");
        }
        for (int i : new int[] {1, 3, 4}) {
            assertFalse(plan.phases().get(i).env().containsKey("CNB_SKIP_LAYERS"));
            assertFalse(plan.phases().get(i).env().containsKey("CNB_SKIP_RESTORE"));
        }
        PhasePlan normal = PhasePlan.create(PlatformApi.parse("0.13"), false, options().build());
        normal.phases().forEach(p -> assertFalse(p.env().containsKey("CNB_SKIP_LAYERS") || p.env().containsKey("CNB_SKIP_RESTORE")));
    }

    @Test
    void customOrderReachesOnlyTheDetector() {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.13"), false, options().customOrder(true).build());
        for (PhaseSpec p : plan.phases()) {
            assertEquals(p.phase() == Phase.DETECTOR, p.env().containsKey("CNB_ORDER_PATH"), p.phase().id());
        }
        PhasePlan none = PhasePlan.create(PlatformApi.parse("0.13"), false, options().build());
        none.phases().forEach(p -> assertFalse(p.env().containsKey("CNB_ORDER_PATH")));
    }

    @Test
    void withoutRunImageTheLifecycleChoosesFromRunToml() {
        PhasePlan plan = PhasePlan.create(PlatformApi.parse("0.13"), true, options().build());
        assertFalse(plan.phases().get(0).env().containsKey("CNB_RUN_IMAGE"));
        assertEquals("/layers/run.toml", plan.phases().get(0).env().get("CNB_RUN_PATH"));
    }

    @Test
    void tagsOnAnotherRegistryAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PhasePlan.create(
                PlatformApi.parse("0.13"), false, options().tags(List.of("other.example/team/app:v1")).build()));
        assertTrue(e.getMessage().contains("is on registry other.example but the image is on registry.example:5000"), e.getMessage());
    }

    @Test
    void unsupportedApiCannotBePlanned() {
        assertThrows(IncompatiblePlatformApiException.class,
                () -> PhasePlan.create(PlatformApi.parse("0.11"), true, options().build()));
        assertThrows(IncompatiblePlatformApiException.class,
                () -> PhasePlan.create(PlatformApi.parse("0.15"), true, options().build()));
    }

    @Test
    void referencesThatLookLikeFlagsOrHoldSpacesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> options().image("-daemon").build());
        assertThrows(IllegalArgumentException.class, () -> options().tags(List.of("a b")).build());
        assertThrows(IllegalArgumentException.class, () -> options().runImage("x\ny").build());
        assertThrows(IllegalArgumentException.class, () -> options().insecure(List.of("a,b")).build());
    }

    @Test
    void phaseSpecRefusesCredentialsForBuildpackPhases() {
        assertThrows(IllegalArgumentException.class, () -> new PhaseSpec(Phase.BUILDER, PhaseImage.BUILDER,
                "/cnb/lifecycle/builder", List.of(), new TreeMap<>(), true, List.of(), NetworkMode.NONE, USER));
        TreeMap<String, String> env = new TreeMap<>(Map.of("CNB_REGISTRY_AUTH", "{}"));
        assertThrows(IllegalArgumentException.class, () -> new PhaseSpec(Phase.ANALYZER, PhaseImage.BUILDER,
                "/cnb/lifecycle/analyzer", List.of(), env, true, List.of(), NetworkMode.HOST, USER));
    }

    @Test
    void phaseNamesAndBinaries() {
        assertEquals("/cnb/lifecycle/exporter", Phase.EXPORTER.binary());
        assertEquals(Phase.RESTORER, Phase.fromId("restorer"));
        assertThrows(IllegalArgumentException.class, () -> Phase.fromId("rebaser"));
        assertEquals(NetworkMode.NONE, NetworkMode.parse("none"));
        assertThrows(IllegalArgumentException.class, () -> NetworkMode.parse("bridge"));
        assertEquals(LogLevel.DEBUG, LogLevel.parse("debug"));
        assertThrows(IllegalArgumentException.class, () -> LogLevel.parse("DEBUG"));
        PhasePlan debug = PhasePlan.create(PlatformApi.parse("0.13"), true, options().logLevel(LogLevel.DEBUG).build());
        assertEquals("debug", debug.phases().get(0).env().get("CNB_LOG_LEVEL"));
    }
}
