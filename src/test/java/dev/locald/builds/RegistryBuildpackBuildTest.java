package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.json.Json;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Buildpacks named by the CNB buildpack registry ({@code urn:cnb:registry:<namespace>/<name>[@<version>]}) end to
 * end through POST /builds with the fixture builder under real runc. The public registry (registry.buildpacks.io)
 * is unreachable from the test machine, so a small HTTP server on 127.0.0.1 stands in for it: it serves the
 * registry API's documents in their real shape ({@code /api/v1/buildpacks/<ns>/<name>} with {@code latest} and
 * {@code versions}, {@code /api/v1/buildpacks/<ns>/<name>/<version>} with {@code yanked} and {@code addr}) for the
 * fixture buildpackage {@code fixture/packaged}, published to the test registry, and locald's
 * {@code locald.buildpacks.registry-url} points at it. A version, or the latest without one, resolves to the image
 * by digest, which then builds as a {@code docker://} buildpack; an unknown id, a yanked version and an address
 * without a digest fail with sentences naming the reference (docs/api.md, "Buildpacks from the buildpack
 * registry").
 */
@QuarkusTest
@TestProfile(RegistryBuildpackBuildTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryBuildpackBuildTest {

    private static final String RAN = "fixture/packaged 0.3.0: built from a buildpackage image, found in "
            + "/cnb/buildpacks/fixture_packaged/0.3.0";

    /** The registry API stand-in: documents by path, 404 for any other. */
    public static class RegistryApi implements QuarkusTestResourceLifecycleManager {
        static final Map<String, String> DOCUMENTS = new ConcurrentHashMap<>();
        static final List<String> ASKED = new java.util.concurrent.CopyOnWriteArrayList<>();
        static String url;
        private HttpServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                ASKED.add(path);
                String doc = DOCUMENTS.get(path);
                byte[] body = (doc == null ? "{\"error\":\"not found\"}" : doc).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(doc == null ? 404 : 200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
            return Map.of("locald.buildpacks.registry-url", url);
        }

        @Override
        public void stop() {
            if (server != null) {
                server.stop(0);
            }
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", "target/locald-e2e-registry-bp", "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(
                    new TestResourceEntry(
                            LifecycleImageBuildTest.FixtureRegistry.class, Map.of("lifecycle", "fixture")),
                    new TestResourceEntry(RegistryApi.class));
        }
    }

    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;
    private FixtureImages.PublishedImage packaged;

    @BeforeAll
    void publishFixtures() {
        if (LifecycleImageBuildTest.FixtureRegistry.unavailable != null) {
            throw LifecycleImageBuildTest.FixtureRegistry.unavailable;
        }
        registry = LifecycleImageBuildTest.FixtureRegistry.registry;
        fixtures = LifecycleImageBuildTest.FixtureRegistry.fixtures;
        packaged = FixtureImages.publishBuildpackage(registry, "packaged", "buildpacks/from-registry", labels -> {});
        String base = "/api/v1/buildpacks/fixture/packaged";
        ObjectNode latest = version("0.3.0", false, packaged.digestReference());
        ObjectNode entry = Json.PLAIN.createObjectNode();
        entry.set("latest", latest);
        for (String v : List.of("0.3.0", "0.2.0", "0.1.0")) {
            entry.withArray("versions")
                    .addObject()
                    .put("version", v)
                    .put("_link", "https://registry.buildpacks.io//api/v1/buildpacks/fixture/packaged/" + v);
        }
        RegistryApi.DOCUMENTS.put(base, entry.toString());
        RegistryApi.DOCUMENTS.put(base + "/0.3.0", latest.toString());
        RegistryApi.DOCUMENTS.put(
                base + "/0.2.0",
                version("0.2.0", true, packaged.digestReference()).toString());
        // a tag the registry's owner could move: not what the registry vouches for
        RegistryApi.DOCUMENTS.put(
                base + "/0.1.0", version("0.1.0", false, packaged.reference()).toString());
    }

    /** A version document in the registry API's shape. */
    private static ObjectNode version(String version, boolean yanked, String addr) {
        return Json.PLAIN
                .createObjectNode()
                .put("id", "00000000-0000-0000-0000-00000000000" + version.charAt(2))
                .put("namespace", "fixture")
                .put("name", "packaged")
                .put("version", version)
                .put("yanked", yanked)
                .put("addr", addr)
                .put("description", "Fixture buildpack shipped as a buildpackage image")
                .put("homepage", "")
                .put("licenses", (String) null)
                .put("created_at", "2026-01-01T00:00:00.000Z")
                .put("updated_at", "2026-01-01T00:00:00.000Z");
    }

    @Test
    void aVersionedRegistryBuildpackResolvesToItsImageAndRuns() throws Exception {
        String urn = "urn:cnb:registry:fixture/packaged@0.3.0";
        JsonNode build = build("e2e/urn-versioned:1", Map.of("buildpacks", List.of(urn, "fixture/hello")), null);
        String log = BuildsApi.textLog(build.path("_location").asText());
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(
                log.contains("buildpack " + urn + ": the buildpack registry at " + RegistryApi.url
                        + " names fixture/packaged@0.3.0 at " + packaged.digestReference()),
                log);
        assertTrue(log.contains("pulling buildpack image " + packaged.digestReference()), log);
        assertTrue(log.contains("pass: fixture/packaged@0.3.0"), log);
        assertTrue(log.contains(RAN), log);
        assertTrue(log.contains("fixture/hello: built the shell app"), log);
        // taken like docker://: the trusted builder runs untrusted
        assertTrue(log.contains("which are not part of the trusted builder"), log);
        assertTrue(
                RegistryApi.ASKED.contains("/api/v1/buildpacks/fixture/packaged/0.3.0"), RegistryApi.ASKED::toString);
    }

    @Test
    void withoutAVersionTheLatestIsTaken() throws Exception {
        String urn = "urn:cnb:registry:fixture/packaged";
        JsonNode build = build("e2e/urn-latest:1", Map.of("buildpacks", List.of(urn, "fixture/hello")), null);
        String log = BuildsApi.textLog(build.path("_location").asText());
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(
                log.contains("buildpack " + urn + ": the buildpack registry at " + RegistryApi.url
                        + " names fixture/packaged@0.3.0 at " + packaged.digestReference()),
                log);
        assertTrue(log.contains(RAN), log);
    }

    @Test
    void aRegistryBuildpackInProjectTomlRuns() throws Exception {
        String toml = "[_]\nschema-version = \"0.2\"\n\n[[io.buildpacks.group]]\nid = \"fixture/hello\"\n\n"
                + "[[io.buildpacks.group]]\nuri = \"urn:cnb:registry:fixture/packaged@0.3.0\"\n";
        JsonNode build = build("e2e/urn-descriptor:1", Map.of(), app(toml));
        String log = BuildsApi.textLog(build.path("_location").asText());
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        int hello = log.indexOf("fixture/hello: built the shell app");
        int bp = log.indexOf(RAN);
        assertTrue(hello >= 0 && bp > hello, "the registry buildpack runs after fixture/hello: " + log);
    }

    @Test
    void anUnknownIdFailsNamingTheReference() throws Exception {
        JsonNode build = failed("urn:cnb:registry:fixture/unknown@1.0.0");
        assertTrue(
                build.toString()
                        .contains("the buildpack urn:cnb:registry:fixture/unknown@1.0.0: the buildpack registry at "
                                + RegistryApi.url + " has no buildpack fixture/unknown@1.0.0"),
                build.toPrettyString());
        JsonNode latest = failed("urn:cnb:registry:fixture/unknown");
        assertTrue(
                latest.toString()
                        .contains("the buildpack urn:cnb:registry:fixture/unknown: the buildpack registry at "
                                + RegistryApi.url + " has no buildpack fixture/unknown"),
                latest.toPrettyString());
    }

    @Test
    void aYankedVersionFailsNamingTheReference() throws Exception {
        JsonNode build = failed("urn:cnb:registry:fixture/packaged@0.2.0");
        assertTrue(
                build.toString()
                        .contains("the buildpack urn:cnb:registry:fixture/packaged@0.2.0: fixture/packaged@0.2.0 is"
                                + " yanked in the buildpack registry at " + RegistryApi.url + "; name another version"),
                build.toPrettyString());
    }

    @Test
    void anAddressWithoutADigestIsRefused() throws Exception {
        JsonNode build = failed("urn:cnb:registry:fixture/packaged@0.1.0");
        assertTrue(
                build.toString()
                        .contains("names for fixture/packaged@0.1.0 the image " + packaged.reference()
                                + ", which is not pinned by digest"),
                build.toPrettyString());
    }

    /** A build with the trusted fixture builder; the finished build view with its location as {@code _location}. */
    private JsonNode build(String repository, Map<String, Object> extra, byte[] source) throws Exception {
        Map<String, Object> request = new java.util.LinkedHashMap<>(extra);
        request.put("image", registry.hostPort() + "/" + repository);
        request.put("builder", fixtures.busybox().image().reference());
        request.put("trustBuilder", true);
        String location = BuildsApi.submit(request, source == null ? FixtureFolder.appTar("hello") : source);
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        ((ObjectNode) build).put("_location", location);
        return build;
    }

    private JsonNode failed(String urn) throws Exception {
        JsonNode build = build("e2e/urn-failing:1", Map.of("buildpacks", List.of(urn, "fixture/hello")), null);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
        return build;
    }

    /** The hello sample app with a project.toml. */
    private static byte[] app(String projectToml) {
        LayerTar tar = LayerTar.create();
        FixtureFolder.addTree(tar, FixtureFolder.app("hello"), ".");
        tar.file("./project.toml", projectToml);
        return tar.toBytes();
    }
}
