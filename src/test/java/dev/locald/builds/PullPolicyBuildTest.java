package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pullPolicy} through POST /builds with the builder's registry stopped. The fixture builder is published
 * into a registry of its own (A) that the test stops; the target image, the run image and the lifecycle stay on
 * the profile's registry (B), since the fixture lifecycle's exporter reads the run image itself, not locald.
 * {@code locald.registry.tag-ttl} is zero here, so {@code if-not-present} asks registry A each time and has to
 * fall back to the cache once it is gone. A third registry, the configured mirror of a registry where nothing
 * listens, serves a builder named after that registry.
 */
@QuarkusTest
@TestProfile(PullPolicyBuildTest.Profile.class)
class PullPolicyBuildTest {

    public static class Profile extends EndToEndBuildTest.Profile {
        public Profile() {
            super("target/locald-pull-policy", "fixture");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("locald.registry.tag-ttl", "PT0S");
            // a cgroup parent of its own: the startup sweep never touches containers of another locald running
            overrides.put("locald.runtime.cgroup-parent", "locald-pull-policy");
            return overrides;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            List<TestResourceEntry> resources = new ArrayList<>(super.testResources());
            resources.add(new TestResourceEntry(MirrorRegistry.class));
            return resources;
        }
    }

    /** Where nothing listens: the origin registry the mirror stands in for. */
    static final String GONE_ORIGIN = "127.0.0.1:1";

    /** A registry holding the fixture builder, configured as the only mirror of {@link #GONE_ORIGIN}. */
    public static class MirrorRegistry implements QuarkusTestResourceLifecycleManager {
        private TestRegistry registry;

        @Override
        public Map<String, String> start() {
            registry = TestRegistry.start();
            FixtureImages.publishAll(registry);
            return Map.of("locald.registry.mirrors.\"" + GONE_ORIGIN + "\"", registry.hostPort());
        }

        @Override
        public void stop() {
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static final Duration LIMIT = Duration.ofMinutes(3);

    @Test
    void theCacheStandsInForAStoppedRegistryAsThePolicySays() throws Exception {
        TestRegistry target = LifecycleImageBuildTest.FixtureRegistry.registry;
        FixtureImages.Fixtures onTarget = LifecycleImageBuildTest.FixtureRegistry.fixtures;
        String runImage = onTarget.busybox().runImage().reference();
        String builder;
        String builderRegistry;
        try (TestRegistry a = TestRegistry.start()) {
            builder = FixtureImages.publishAll(a).busybox().image().reference();
            builderRegistry = a.hostPort();
            JsonNode first = build(target, builder, runImage, "always");
            assertEquals("succeeded", first.path("state").asText(), first.toPrettyString());
            assertEquals("always", first.path("request").path("pullPolicy").asText(), first.toPrettyString());
        }
        // registry A is stopped from here on: connections to it are refused

        JsonNode ifNotPresent = build(target, builder, runImage, null);
        String log = BuildsApi.textLog(ifNotPresent.path("links").path("self").asText());
        assertEquals("succeeded", ifNotPresent.path("state").asText(), ifNotPresent.toPrettyString() + log);
        assertEquals(
                "if-not-present",
                ifNotPresent.path("request").path("pullPolicy").asText());
        assertTrue(
                log.contains("warning: the registry " + builderRegistry + " is unreachable")
                        && log.contains("using the cached " + builder),
                log);

        JsonNode never = build(target, builder, runImage, "never");
        String neverLog = BuildsApi.textLog(never.path("links").path("self").asText());
        assertEquals("succeeded", never.path("state").asText(), never.toPrettyString() + neverLog);
        assertFalse(neverLog.contains("is unreachable"), neverLog);

        JsonNode always = build(target, builder, runImage, "always");
        assertEquals("failed", always.path("state").asText(), always.toPrettyString());
        String alwaysError = always.path("error").asText();
        assertTrue(
                alwaysError.startsWith("could not pull the builder " + builder + ": ")
                        && alwaysError.contains(builderRegistry),
                alwaysError);

        String uncached = builderRegistry + "/fixtures/never-pulled:1";
        JsonNode missing = build(target, uncached, runImage, "never");
        assertEquals("failed", missing.path("state").asText(), missing.toPrettyString());
        assertEquals(
                "could not pull the builder " + uncached + ": " + uncached + " is not in the image cache, and"
                        + " pullPolicy \"never\" keeps locald from asking its registry " + builderRegistry,
                missing.path("error").asText());
    }

    @Test
    void aBuilderComesFromItsRegistrysMirrorWhenTheRegistryIsGone() throws Exception {
        TestRegistry target = LifecycleImageBuildTest.FixtureRegistry.registry;
        String runImage = LifecycleImageBuildTest.FixtureRegistry.fixtures
                .busybox()
                .runImage()
                .reference();
        String builder = GONE_ORIGIN + "/fixtures/builder-busybox:" + FixtureImages.TAG;
        JsonNode build = build(target, builder, runImage, "always");
        String log = BuildsApi.textLog(build.path("links").path("self").asText());
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertEquals(builder, build.path("request").path("builder").asText());
    }

    private static JsonNode build(TestRegistry target, String builder, String runImage, String pullPolicy)
            throws Exception {
        Map<String, Object> request = new HashMap<>();
        request.put("image", target.hostPort() + "/pull-policy/hello:1");
        request.put("builder", builder);
        request.put("runImage", runImage);
        request.put("trustBuilder", true);
        if (pullPolicy != null) {
            request.put("pullPolicy", pullPolicy);
        }
        String location = BuildsApi.submit(request, FixtureFolder.appTar("hello"));
        return BuildsApi.awaitFinished(location, LIMIT);
    }
}
