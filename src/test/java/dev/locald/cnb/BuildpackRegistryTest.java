package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.locald.builds.BuildFailure;
import dev.locald.lifecycle.RegistryBuildpack;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry API's answers that are not a usable document, against a local HTTP server standing in for
 * registry.buildpacks.io (unreachable from the test machine): each fails with a sentence naming the entry and the
 * registry URL. RegistryBuildpackBuildTest covers the documents that resolve, end to end.
 */
class BuildpackRegistryTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private HttpServer server;
    private String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = bodies.getOrDefault(path, new byte[0]);
            exchange.sendResponseHeaders(
                    statuses.getOrDefault(path, bodies.containsKey(path) ? 200 : 404), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String fail(String urn) {
        BuildpackRegistry registry = new BuildpackRegistry(url + "/");
        return assertThrows(BuildFailure.class, () -> registry.resolve(RegistryBuildpack.parse(urn)))
                .getMessage();
    }

    private void serve(String path, String json) {
        bodies.put("/api/v1/buildpacks/" + path, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aVersionResolvesToItsDigestAddress() throws Exception {
        serve("ex/bp", "{\"latest\":{\"version\":\"2.0.0\"},\"versions\":[{\"version\":\"2.0.0\",\"_link\":\"x\"}]}");
        serve("ex/bp/2.0.0", "{\"version\":\"2.0.0\",\"yanked\":false,\"addr\":\"r.example/bp@" + DIGEST + "\"}");
        BuildpackRegistry.Resolved resolved =
                new BuildpackRegistry(url).resolve(RegistryBuildpack.parse("urn:cnb:registry:ex/bp"));
        assertEquals("ex/bp@2.0.0", resolved.top().toString());
        assertEquals("r.example/bp@" + DIGEST, resolved.image().toString());
    }

    @Test
    void anHttpErrorNamesTheRegistry() {
        serve("ex/bp/1.0.0", "{}");
        statuses.put("/api/v1/buildpacks/ex/bp/1.0.0", 503);
        assertEquals(
                "the buildpack urn:cnb:registry:ex/bp@1.0.0: the buildpack registry at " + url
                        + " answered HTTP 503 for " + url + "/buildpacks/ex/bp/1.0.0",
                fail("urn:cnb:registry:ex/bp@1.0.0"));
    }

    @Test
    void anOversizedAnswerIsRefused() {
        bodies.put("/api/v1/buildpacks/ex/bp/1.0.0", new byte[BuildpackRegistry.MAX_BODY + 1]);
        assertTrue(fail("urn:cnb:registry:ex/bp@1.0.0")
                .endsWith("answered more than 1048576 bytes for " + url
                        + "/buildpacks/ex/bp/1.0.0, which is not a registry document"));
    }

    @Test
    void aNonJsonOrIncompleteAnswerIsRefused() {
        serve("ex/bp/1.0.0", "<html>");
        assertTrue(fail("urn:cnb:registry:ex/bp@1.0.0").contains("answered invalid JSON for"));
        serve("ex/bp", "{\"versions\":[]}");
        assertEquals(
                "the buildpack urn:cnb:registry:ex/bp: the buildpack registry at " + url
                        + " answered without a latest version for ex/bp",
                fail("urn:cnb:registry:ex/bp"));
        serve("ex/bp/1.0.0", "{\"yanked\":false,\"addr\":\"R B\"}");
        assertTrue(fail("urn:cnb:registry:ex/bp@1.0.0").contains("which is not a valid image reference"));
    }

    @Test
    void anUnreachableRegistryIsNamed() {
        server.stop(0);
        assertTrue(fail("urn:cnb:registry:ex/bp@1.0.0")
                .startsWith("the buildpack urn:cnb:registry:ex/bp@1.0.0: the buildpack registry at " + url
                        + " could not be reached: "));
    }

    @Test
    void theUrlMustBeHttp() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new BuildpackRegistry("file:///etc/passwd"));
        assertEquals(
                "locald.buildpacks.registry-url 'file:///etc/passwd' is not an http(s) URL with a host",
                e.getMessage());
    }
}
