package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import dev.locald.registry.RegistryCredential;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

class PhasePlanTest {

    static final CnbUser USER = new CnbUser(1001, 1002);
    static final String IMAGE = "registry.example:5000/team/app:latest";
    /** Cases that hold at every platform API locald supports run at each, as the lifecycle's tests do. */
    static final String SUPPORTED = "dev.locald.lifecycle.PlatformApiNegotiation#LOCALD_SUPPORTED";

    static final PlatformApi INSECURE_REGISTRIES_SINCE = PlatformApi.parse("0.13");

    static Stream<PlatformApi> withInsecureRegistries() {
        return PlatformApiNegotiation.LOCALD_SUPPORTED.stream().filter(api -> api.atLeast(INSECURE_REGISTRIES_SINCE));
    }

    static Stream<PlatformApi> withoutInsecureRegistries() {
        return PlatformApiNegotiation.LOCALD_SUPPORTED.stream().filter(api -> !api.atLeast(INSECURE_REGISTRIES_SINCE));
    }

    /** Each case states only what differs from these defaults. */
    static PlanOptions.Builder options() {
        return PlanOptions.builder(ref(IMAGE), USER);
    }

    private static ImageReference ref(String reference) {
        return ImageReference.parse(reference);
    }

    private static List<ImageReference> refs(String... references) {
        return java.util.Arrays.stream(references).map(ImageReference::parse).toList();
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, String> common(PlatformApi api) {
        return env(
                "CNB_PLATFORM_API",
                api.toString(),
                "CNB_LAYERS_DIR",
                "/layers",
                "CNB_LOG_LEVEL",
                "info",
                "CNB_NO_COLOR",
                "true",
                "CNB_USER_ID",
                "1001",
                "CNB_GROUP_ID",
                "1002");
    }

    private static Map<String, String> plus(Map<String, String> base, String... kv) {
        Map<String, String> m = new TreeMap<>(base);
        m.putAll(env(kv));
        return m;
    }

    private static String mounts(PhaseSpec p) {
        return p.mounts().stream()
                .map(m -> m.containerPath() + ":" + m.source() + (m.readOnly() ? ":ro" : ":rw"))
                .collect(Collectors.joining(" "));
    }

    /** The golden five-phase plan for an untrusted builder, with cache, tags, run image and insecure registry. */
    @ParameterizedTest
    @MethodSource("withInsecureRegistries")
    void untrustedGolden(PlatformApi api) {
        PhasePlan plan = PhasePlan.create(
                api,
                false,
                options()
                        .tags(refs("registry.example:5000/team/app:v1"))
                        .runImage(ref("registry.example:5000/run:base"))
                        .insecure(List.of("registry.example:5000"))
                        .build());
        assertFalse(usesCreator(plan));
        assertTrue(needsLifecycleImage(plan));
        assertEquals(List.of(), plan.warnings());
        assertEquals(
                List.of(Phase.ANALYZER, Phase.DETECTOR, Phase.RESTORER, Phase.BUILDER, Phase.EXPORTER),
                plan.phases().stream().map(PhaseSpec::phase).toList());
        Map<String, String> registry =
                plus(common(api), "CNB_USE_DAEMON", "false", "CNB_INSECURE_REGISTRIES", "registry.example:5000");

        PhaseSpec analyzer = plan.phases().get(0);
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, analyzer.image());
        assertEquals(
                List.of("/cnb/lifecycle/analyzer", "-tag", "registry.example:5000/team/app:v1", IMAGE),
                analyzer.argv());
        assertEquals(
                plus(
                        registry,
                        "CNB_ANALYZED_PATH",
                        "/layers/analyzed.toml",
                        "CNB_RUN_PATH",
                        "/layers/run.toml",
                        "CNB_RUN_IMAGE",
                        "registry.example:5000/run:base"),
                analyzer.env());
        assertEquals("/layers:LAYERS:rw", mounts(analyzer));
        assertTrue(analyzer.registryAuth());
        assertEquals(NetworkMode.HOST, analyzer.network());

        PhaseSpec detector = plan.phases().get(1);
        assertEquals(PhaseImage.BUILDER, detector.image());
        assertEquals(List.of("/cnb/lifecycle/detector"), detector.argv());
        assertEquals(
                plus(
                        common(api),
                        "CNB_APP_DIR",
                        "/workspace",
                        "CNB_PLATFORM_DIR",
                        "/platform",
                        "CNB_ANALYZED_PATH",
                        "/layers/analyzed.toml",
                        "CNB_GROUP_PATH",
                        "/layers/group.toml",
                        "CNB_PLAN_PATH",
                        "/layers/plan.toml",
                        "CNB_RUN_PATH",
                        "/layers/run.toml"),
                detector.env());
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:rw /platform:PLATFORM:ro", mounts(detector));
        assertFalse(detector.registryAuth());

        PhaseSpec restorer = plan.phases().get(2);
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, restorer.image());
        assertEquals(List.of("/cnb/lifecycle/restorer"), restorer.argv());
        assertEquals(
                plus(
                        registry,
                        "CNB_ANALYZED_PATH",
                        "/layers/analyzed.toml",
                        "CNB_GROUP_PATH",
                        "/layers/group.toml",
                        "CNB_RUN_PATH",
                        "/layers/run.toml",
                        "CNB_CACHE_DIR",
                        "/cache"),
                restorer.env());
        assertEquals("/layers:LAYERS:rw /cache:CACHE:rw", mounts(restorer));
        assertTrue(restorer.registryAuth());

        PhaseSpec builder = plan.phases().get(3);
        assertEquals(PhaseImage.BUILDER, builder.image());
        assertEquals(List.of("/cnb/lifecycle/builder"), builder.argv());
        assertEquals(
                plus(
                        common(api),
                        "CNB_APP_DIR",
                        "/workspace",
                        "CNB_PLATFORM_DIR",
                        "/platform",
                        "CNB_ANALYZED_PATH",
                        "/layers/analyzed.toml",
                        "CNB_GROUP_PATH",
                        "/layers/group.toml",
                        "CNB_PLAN_PATH",
                        "/layers/plan.toml"),
                builder.env());
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:rw /platform:PLATFORM:ro", mounts(builder));
        assertFalse(builder.registryAuth());

        PhaseSpec exporter = plan.phases().get(4);
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, exporter.image());
        assertEquals(List.of("/cnb/lifecycle/exporter", IMAGE, "registry.example:5000/team/app:v1"), exporter.argv());
        assertEquals(
                plus(
                        registry,
                        "CNB_APP_DIR",
                        "/workspace",
                        "CNB_ANALYZED_PATH",
                        "/layers/analyzed.toml",
                        "CNB_GROUP_PATH",
                        "/layers/group.toml",
                        "CNB_REPORT_PATH",
                        "/layers/report.toml",
                        "CNB_RUN_PATH",
                        "/layers/run.toml",
                        "CNB_CACHE_DIR",
                        "/cache"),
                exporter.env());
        assertFalse(exporter.env().containsKey("CNB_RUN_IMAGE"), "the exporter exits 3 when given a run image");
        assertEquals("/layers:LAYERS:rw /workspace:WORKSPACE:ro /cache:CACHE:rw", mounts(exporter));
        assertTrue(exporter.registryAuth());

        for (PhaseSpec p : plan.phases()) {
            assertEquals(USER, p.user(), p.phase() + " runs as the CNB user");
        }
    }

    /** The lifecycle reads the env at every API (only the flag is from 0.13 on): registry phases get it at 0.12 too. */
    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void insecureRegistriesArePassedToRegistryPhasesAtEveryApi(PlatformApi api) {
        for (boolean trusted : new boolean[] {false, true}) {
            PhasePlan plan = PhasePlan.create(
                    api,
                    trusted,
                    options()
                            .insecure(List.of("registry.example:5000", "other.example"))
                            .build());
            assertEquals(List.of(), plan.warnings());
            for (PhaseSpec p : plan.phases()) {
                assertEquals(api.toString(), p.env().get("CNB_PLATFORM_API"));
                assertEquals(
                        p.registryAuth() ? "registry.example:5000,other.example" : null,
                        p.env().get("CNB_INSECURE_REGISTRIES"),
                        p.phase().id());
            }
        }
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void trustedGoldenIsOneCreator(PlatformApi api) {
        PhasePlan plan = PhasePlan.create(
                api,
                true,
                options()
                        .tags(refs("registry.example:5000/team/app:v1", "registry.example:5000/team/app:v2"))
                        .runImage(ref("registry.example:5000/run:base"))
                        .customOrder(true)
                        .clearCache(true)
                        .build());
        assertTrue(usesCreator(plan));
        assertFalse(needsLifecycleImage(plan));
        PhaseSpec creator = plan.phases().get(0);
        assertEquals(PhaseImage.BUILDER, creator.image());
        assertEquals(
                List.of(
                        "/cnb/lifecycle/creator",
                        "-tag",
                        "registry.example:5000/team/app:v1",
                        "-tag",
                        "registry.example:5000/team/app:v2",
                        IMAGE),
                creator.argv());
        assertEquals(
                plus(
                        common(api),
                        "CNB_USE_DAEMON",
                        "false",
                        "CNB_APP_DIR",
                        "/workspace",
                        "CNB_PLATFORM_DIR",
                        "/platform",
                        "CNB_ANALYZED_PATH",
                        "/layers/analyzed.toml",
                        "CNB_GROUP_PATH",
                        "/layers/group.toml",
                        "CNB_PLAN_PATH",
                        "/layers/plan.toml",
                        "CNB_REPORT_PATH",
                        "/layers/report.toml",
                        "CNB_RUN_PATH",
                        "/layers/run.toml",
                        "CNB_RUN_IMAGE",
                        "registry.example:5000/run:base",
                        "CNB_ORDER_PATH",
                        "/layers/order.toml",
                        "CNB_SKIP_RESTORE",
                        "true",
                        "CNB_CACHE_DIR",
                        "/cache"),
                creator.env());
        assertEquals(
                "/layers:LAYERS:rw /workspace:WORKSPACE:rw /platform:PLATFORM:ro /cache:CACHE:rw", mounts(creator));
        assertTrue(creator.registryAuth());
        assertEquals(NetworkMode.HOST, creator.network());
        assertEquals(USER, creator.user());
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void trustedBuilderWithoutNetworkSplitsPhasesAllOnTheBuilder(PlatformApi api) {
        PhasePlan plan =
                PhasePlan.create(api, true, options().network(NetworkMode.NONE).build());
        assertFalse(usesCreator(plan));
        assertEquals(5, plan.phases().size());
        for (PhaseSpec p : plan.phases()) {
            assertEquals(PhaseImage.BUILDER, p.image(), p.phase().id());
            NetworkMode expected =
                    p.phase() == Phase.DETECTOR || p.phase() == Phase.BUILDER ? NetworkMode.NONE : NetworkMode.HOST;
            assertEquals(expected, p.network(), p.phase().id());
        }
        assertEquals(List.of(), plan.warnings());
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void untrustedWithoutLifecycleImageWarnsAndUsesTheBuilder(PlatformApi api) {
        PhasePlan plan =
                PhasePlan.create(api, false, options().lifecycleImage(false).build());
        assertFalse(needsLifecycleImage(plan));
        assertEquals(1, plan.warnings().size());
        assertTrue(
                plan.warnings().get(0).contains("untrusted builder's own lifecycle"),
                plan.warnings().get(0));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void onlyAnalyzerRestorerExporterAndCreatorEverGetCredentials(PlatformApi api) {
        RegistryAuthEnv auth =
                RegistryAuthEnv.of(Map.of(), Map.of("registry.example:5000", new RegistryCredential.Basic("u", "p")));
        List<String> imageEnv = List.of("PATH=/usr/bin", "CNB_REGISTRY_AUTH={\"evil.example\":\"Basic x\"}");
        for (boolean trusted : new boolean[] {true, false}) {
            for (NetworkMode net : NetworkMode.values()) {
                PhasePlan plan =
                        PhasePlan.create(api, trusted, options().network(net).build());
                for (PhaseSpec p : plan.phases()) {
                    List<String> env = p.processEnv(imageEnv, auth);
                    List<String> authEntries = env.stream()
                            .filter(e -> e.startsWith("CNB_REGISTRY_AUTH="))
                            .toList();
                    if (p.phase() == Phase.DETECTOR || p.phase() == Phase.BUILDER) {
                        assertEquals(List.of(), authEntries, p.phase().id() + " must not see credentials");
                        assertFalse(p.registryAuth());
                    } else {
                        assertEquals(
                                List.of("CNB_REGISTRY_AUTH=" + auth.json()),
                                authEntries,
                                p.phase().id());
                    }
                    assertFalse(p.env().containsKey("CNB_REGISTRY_AUTH"));
                }
            }
        }
    }

    /** A rebase: one rebaser on the lifecycle image, with credentials, its report in /layers, tags positional. */
    @ParameterizedTest
    @MethodSource("withInsecureRegistries")
    void aRebaseIsOneRebaserOnTheLifecycleImage(PlatformApi api) {
        PlanOptions o = options()
                .tags(refs("registry.example:5000/team/app:v2"))
                .insecure(List.of("registry.example:5000"))
                .network(NetworkMode.ISOLATED)
                .build();
        PhasePlan plan = PhasePlan.rebase(api, o, false);
        assertEquals(1, plan.phases().size());
        PhaseSpec rebaser = plan.phases().get(0);
        assertEquals(Phase.REBASER, rebaser.phase());
        assertEquals(PhaseImage.LIFECYCLE_IMAGE, rebaser.image());
        assertTrue(rebaser.registryAuth());
        assertEquals(NetworkMode.ISOLATED, rebaser.network());
        assertEquals(List.of("/cnb/lifecycle/rebaser", IMAGE, "registry.example:5000/team/app:v2"), rebaser.argv());
        assertEquals(
                plus(
                        common(api),
                        "CNB_REPORT_PATH",
                        "/layers/report.toml",
                        "CNB_USE_DAEMON",
                        "false",
                        "CNB_INSECURE_REGISTRIES",
                        "registry.example:5000"),
                rebaser.env());
        assertEquals("/layers:LAYERS:rw", mounts(rebaser));
        // a named run image and force travel as env; a network of none still reaches the registry
        PhaseSpec forced = PhasePlan.rebase(
                        api,
                        options()
                                .runImage(ref("registry.example:5000/run:2"))
                                .network(NetworkMode.NONE)
                                .build(),
                        true)
                .phases()
                .get(0);
        assertEquals("registry.example:5000/run:2", forced.env().get("CNB_RUN_IMAGE"));
        assertEquals("true", forced.env().get("CNB_FORCE_REBASE"));
        assertEquals(NetworkMode.HOST, forced.network());
        assertThrows(
                IncompatiblePlatformApiException.class, () -> PhasePlan.rebase(PlatformApi.parse("0.11"), o, false));
    }

    @Test
    void credentialedPhasesNeedEveryRegistryTheBuildTouches() {
        PlanOptions o = PlanOptions.builder(ref("registry.example:5000/team/app"), USER)
                .tags(refs("registry.example:5000/team/app:v1"))
                .runImage(ref("paketobuildpacks/run-jammy-base"))
                .build();
        // the target (published by the exporter, read back by the analyzer as the previous image), its tags
        // and the run image the analyzer, restorer and exporter read
        assertEquals(
                refs(
                        "registry.example:5000/team/app",
                        "registry.example:5000/team/app:v1",
                        "paketobuildpacks/run-jammy-base"),
                o.registryImages());
        assertEquals(
                refs("registry.example:5000/team/app"),
                PlanOptions.builder(ref("registry.example:5000/team/app"), USER)
                        .build()
                        .registryImages());
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void processEnvKeepsImageEnvButPlatformSettingsWin(PlatformApi api) {
        PhaseSpec detector =
                PhasePlan.create(api, false, options().build()).phases().get(1);
        List<String> env = detector.processEnv(
                List.of("PATH=/cnb/bin:/usr/bin", "CNB_PLATFORM_API=0.3", "CNB_STACK_ID=x", "NOEQUALS"),
                RegistryAuthEnv.none());
        assertTrue(env.contains("PATH=/cnb/bin:/usr/bin"));
        assertTrue(env.contains("CNB_STACK_ID=x"));
        assertTrue(env.contains("CNB_PLATFORM_API=" + api));
        assertFalse(env.contains("CNB_PLATFORM_API=0.3"));
        assertFalse(env.stream().anyMatch(e -> e.startsWith("NOEQUALS")));
        // no credentials at all: no CNB_REGISTRY_AUTH even for the analyzer
        PhaseSpec analyzer =
                PhasePlan.create(api, false, options().build()).phases().get(0);
        assertFalse(analyzer.processEnv(List.of(), RegistryAuthEnv.none()).stream()
                .anyMatch(e -> e.startsWith("CNB_REGISTRY_AUTH")));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void withoutCacheNoPhaseMountsOrNamesIt(PlatformApi api) {
        for (boolean trusted : new boolean[] {true, false}) {
            PhasePlan plan =
                    PhasePlan.create(api, trusted, options().cache(false).build());
            for (PhaseSpec p : plan.phases()) {
                assertTrue(p.mount(BuildDir.CACHE).isEmpty(), p.phase().id());
                assertFalse(p.env().containsKey("CNB_CACHE_DIR"), p.phase().id());
            }
        }
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void clearCacheSkipsLayerReuseOnAnalyzerAndRestorer(PlatformApi api) {
        PhasePlan plan = PhasePlan.create(api, false, options().clearCache(true).build());
        for (int i : new int[] {0, 2}) {
            assertEquals("true", plan.phases().get(i).env().get("CNB_SKIP_LAYERS"));
            assertEquals(
                    "true",
                    plan.phases().get(i).env().get("CNB_SKIP_RESTORE"),
                    "the name every lifecycle version maps");
        }
        for (int i : new int[] {1, 3, 4}) {
            assertFalse(plan.phases().get(i).env().containsKey("CNB_SKIP_LAYERS"));
            assertFalse(plan.phases().get(i).env().containsKey("CNB_SKIP_RESTORE"));
        }
        PhasePlan normal = PhasePlan.create(api, false, options().build());
        normal.phases()
                .forEach(p -> assertFalse(
                        p.env().containsKey("CNB_SKIP_LAYERS") || p.env().containsKey("CNB_SKIP_RESTORE")));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void customOrderReachesOnlyTheDetector(PlatformApi api) {
        PhasePlan plan =
                PhasePlan.create(api, false, options().customOrder(true).build());
        for (PhaseSpec p : plan.phases()) {
            assertEquals(
                    p.phase() == Phase.DETECTOR,
                    p.env().containsKey("CNB_ORDER_PATH"),
                    p.phase().id());
        }
        PhasePlan none = PhasePlan.create(api, false, options().build());
        none.phases().forEach(p -> assertFalse(p.env().containsKey("CNB_ORDER_PATH")));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void withoutRunImageTheLifecycleChoosesFromRunToml(PlatformApi api) {
        PhasePlan plan = PhasePlan.create(api, true, options().build());
        assertFalse(plan.phases().get(0).env().containsKey("CNB_RUN_IMAGE"));
        assertEquals("/layers/run.toml", plan.phases().get(0).env().get("CNB_RUN_PATH"));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void tagsOnAnotherRegistryAreRefused(PlatformApi api) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PhasePlan.create(
                        api,
                        false,
                        options().tags(refs("other.example/team/app:v1")).build()));
        assertTrue(
                e.getMessage().contains("is on registry other.example but the image is on registry.example:5000"),
                e.getMessage());
    }

    @Test
    void unsupportedApiCannotBePlanned() {
        List<PlatformApi> supported = PlatformApiNegotiation.LOCALD_SUPPORTED;
        PlatformApi lowest = supported.get(0);
        PlatformApi highest = supported.get(supported.size() - 1);
        assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PhasePlan.create(
                        new PlatformApi(lowest.major(), lowest.minor() - 1),
                        true,
                        options().build()));
        assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PhasePlan.create(
                        new PlatformApi(highest.major(), highest.minor() + 1),
                        true,
                        options().build()));
    }

    @Test
    void referencesThatLookLikeFlagsOrHoldSpacesAreRefused() {
        // references are ImageReferences: what could pass for a flag or split an argument never parses
        assertThrows(IllegalArgumentException.class, () -> ref("-daemon"));
        assertThrows(IllegalArgumentException.class, () -> refs("a b"));
        assertThrows(IllegalArgumentException.class, () -> ref("x\ny"));
        assertThrows(
                IllegalArgumentException.class,
                () -> options().insecure(List.of("a,b")).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> options().insecure(List.of("bad host!")).build());
    }

    @Test
    void phaseSpecRefusesCredentialsForBuildpackPhases() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new PhaseSpec(
                        Phase.BUILDER,
                        PhaseImage.BUILDER,
                        "/cnb/lifecycle/builder",
                        List.of(),
                        new TreeMap<>(),
                        true,
                        List.of(),
                        NetworkMode.NONE,
                        USER));
        TreeMap<String, String> env = new TreeMap<>(Map.of("CNB_REGISTRY_AUTH", "{}"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PhaseSpec(
                        Phase.ANALYZER,
                        PhaseImage.BUILDER,
                        "/cnb/lifecycle/analyzer",
                        List.of(),
                        env,
                        true,
                        List.of(),
                        NetworkMode.HOST,
                        USER));
    }

    @Test
    void phaseNamesAndBinaries() {
        assertEquals("/cnb/lifecycle/exporter", Phase.EXPORTER.binary());
        assertEquals(Phase.RESTORER, Phase.fromId("restorer"));
        assertEquals(Phase.REBASER, Phase.fromId("rebaser"));
        assertEquals("/cnb/lifecycle/rebaser", Phase.REBASER.binary());
        assertThrows(IllegalArgumentException.class, () -> Phase.fromId("extender"));
        assertEquals(Optional.of(NetworkMode.NONE), NetworkMode.ofWireName("none"));
        assertEquals(Optional.empty(), NetworkMode.ofWireName("bridge"));
        assertEquals(LogLevel.DEBUG, LogLevel.parse("debug"));
        assertThrows(IllegalArgumentException.class, () -> LogLevel.parse("DEBUG"));
        PhasePlan debug = PhasePlan.create(
                PlatformApi.parse("0.13"),
                true,
                options().logLevel(LogLevel.DEBUG).build());
        assertEquals("debug", debug.phases().get(0).env().get("CNB_LOG_LEVEL"));
    }

    private static boolean usesCreator(PhasePlan plan) {
        return plan.phases().size() == 1 && plan.phases().get(0).phase() == Phase.CREATOR;
    }

    private static boolean needsLifecycleImage(PhasePlan plan) {
        return plan.phases().stream().anyMatch(p -> p.image() == PhaseImage.LIFECYCLE_IMAGE);
    }
}
