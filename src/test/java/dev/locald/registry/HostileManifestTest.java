package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests and configs a real registry would store but locald must refuse, each with a clear error kind. */
class HostileManifestTest {

    @TempDir
    Path dir;

    MockWebServer server;
    final Map<String, byte[]> content = new ConcurrentHashMap<>();
    final Map<String, String> contentTypes = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                byte[] body = content.get(request.getUrl().encodedPath());
                if (body == null) {
                    return new MockResponse.Builder().code(404).build();
                }
                MockResponse.Builder response = new MockResponse.Builder().code(200);
                String type = contentTypes.get(request.getUrl().encodedPath());
                if (type != null) {
                    response.setHeader("Content-Type", type);
                }
                return response.body(new Buffer().write(body)).build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    ImageReference ref() {
        return ImageReference.parse("127.0.0.1:" + server.getPort() + "/hostile/app:1");
    }

    RegistryHttpClient http() {
        RegistrySettings settings = RegistrySettings.defaults(
                        dir.resolve("absent.json"), Set.of("127.0.0.1:" + server.getPort()))
                .withRetries(0, Duration.ofMillis(1));
        return new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
    }

    RegistryException resolveFails(String manifest) {
        content.put("/v2/hostile/app/manifests/1", manifest.getBytes(StandardCharsets.UTF_8));
        RegistryHttpClient http = http();
        return assertThrows(
                RegistryException.class, () -> new ImageResolver(http, new BlobFetcher(http)).resolve(ref()));
    }

    String config(int layers) {
        return config(layers, "linux", "amd64", "application/vnd.oci.image.config.v1+json");
    }

    String config(int layers, String os, String architecture, String mediaType) {
        StringBuilder diffIds = new StringBuilder();
        for (int i = 0; i < layers; i++) {
            diffIds.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(Digest.ofBytes(new byte[] {(byte) i}))
                    .append('"');
        }
        byte[] bytes = ("{\"os\":\"" + os + "\",\"architecture\":\"" + architecture
                        + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}")
                .getBytes(StandardCharsets.UTF_8);
        content.put("/v2/hostile/app/blobs/" + Digest.ofBytes(bytes), bytes);
        return "\"config\":{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.ofBytes(bytes) + "\",\"size\":"
                + bytes.length + "}";
    }

    static String layer(String mediaType) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.ofBytes(new byte[] {1}) + "\",\"size\":1}";
    }

    @Test
    void schema1IsUnsupported() {
        RegistryException e = resolveFails("{\"schemaVersion\":1,\"name\":\"hostile/app\",\"fsLayers\":[]}");
        assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("schema 1"), e.getMessage());
    }

    @Test
    void unknownLayerMediaTypeIsUnsupported() {
        RegistryException e =
                resolveFails("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + config(1) + ",\"layers\":[" + layer("application/vnd.example.weird") + "]}");
        assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("application/vnd.example.weird"), e.getMessage());
    }

    @Test
    void layerCountMustMatchDiffIds() {
        RegistryException e =
                resolveFails("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + config(2) + ",\"layers\":[" + layer("application/vnd.oci.image.layer.v1.tar") + "]}");
        assertEquals(RegistryException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("1 layers in its manifest but 2 diff_ids"), e.getMessage());
    }

    @Test
    void oversizedConfigIsRefusedBeforeDownload() {
        RegistryException e =
                resolveFails("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + Digest.ofBytes(new byte[] {7}) + "\",\"size\":999999999},\"layers\":[]}");
        assertEquals(RegistryException.Kind.TOO_LARGE, e.kind());
        assertEquals(1, server.getRequestCount(), "only the manifest was fetched");
    }

    @Test
    void configWithWrongDigestIsRefused() {
        String honest = config(0);
        byte[] other =
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String digest = honest.replaceAll(".*\"digest\":\"([^\"]+)\".*", "$1");
        content.put(
                "/v2/hostile/app/blobs/" + digest,
                java.util.Arrays.copyOf(other, Integer.parseInt(honest.replaceAll(".*\"size\":([0-9]+).*", "$1"))));
        RegistryException e =
                resolveFails("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + honest + ",\"layers\":[]}");
        assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
    }

    @Test
    void malformedJsonAndBadDescriptorsAreInvalid() {
        assertEquals(RegistryException.Kind.INVALID, resolveFails("{not json").kind());
        assertEquals(
                RegistryException.Kind.INVALID,
                resolveFails(
                                "{\"schemaVersion\":2,\"mediaType\":"
                                        + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:../../etc\",\"size\":1}}")
                        .kind());
        assertEquals(
                RegistryException.Kind.UNSUPPORTED,
                resolveFails(
                                "{\"schemaVersion\":2,\"mediaType\":"
                                        + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha512:abc\",\"size\":1}}")
                        .kind());
        assertEquals(
                RegistryException.Kind.INVALID,
                resolveFails("{\"schemaVersion\":2,\"mediaType\":"
                                + "\"application/vnd.oci.image.manifest.v1+json\"," + config(0)
                                + ",\"layers\":[{\"mediaType\":"
                                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                                + Digest.ofBytes(new byte[0]) + "\",\"size\":-5}]}")
                        .kind());
    }

    @Test
    void indexesNestedTooDeepAreRefused() {
        // an index whose amd64 entry is the index itself
        String self =
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
        byte[] inner = self.getBytes(StandardCharsets.UTF_8);
        String entry = "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\""
                + Digest.ofBytes(inner) + "\",\"size\":" + inner.length
                + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}";
        String middle = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + entry + "]}";
        byte[] middleBytes = middle.getBytes(StandardCharsets.UTF_8);
        content.put("/v2/hostile/app/manifests/" + Digest.ofBytes(middleBytes), middleBytes);
        String outer = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\""
                + Digest.ofBytes(middleBytes)
                + "\",\"size\":" + middleBytes.length
                + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
        content.put("/v2/hostile/app/manifests/" + Digest.ofBytes(inner), inner);
        RegistryException e = resolveFails(outer);
        assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("nests image indexes"), e.getMessage());
    }

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    String platformEntry() {
        return "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + Digest.ofBytes(new byte[] {9})
                + "\",\"size\":9,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}";
    }

    @Test
    void documentWithBothLayersAndManifestsIsRefused() {
        // whatever its mediaType says, a document with both reads as an index to one client, a manifest to another
        for (String type : java.util.List.of(OCI_MANIFEST, OCI_INDEX, "")) {
            String mediaType = type.isEmpty() ? "" : "\"mediaType\":\"" + type + "\",";
            RegistryException e = resolveFails("{\"schemaVersion\":2," + mediaType + config(1) + ",\"layers\":["
                    + layer("application/vnd.oci.image.layer.v1.tar") + "],\"manifests\":[" + platformEntry() + "]}");
            assertEquals(RegistryException.Kind.INVALID, e.kind(), type);
            assertTrue(e.getMessage().contains("has both 'manifests' and 'layers'"), e.getMessage());
            assertTrue(e.getMessage().contains("CVE-2021-41190"), e.getMessage());
        }
    }

    @Test
    void mediaTypeMustMatchTheDocument() {
        RegistryException e = resolveFails(
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\"," + config(0) + ",\"layers\":[]}");
        assertEquals(RegistryException.Kind.INVALID, e.kind());
        assertTrue(
                e.getMessage().contains("mediaType '" + OCI_INDEX + "' but the fields of an image manifest"),
                e.getMessage());
    }

    @Test
    void mediaTypeDifferingFromContentTypeIsRefused() {
        contentTypes.put("/v2/hostile/app/manifests/1", OCI_INDEX);
        RegistryException e = resolveFails(
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\"," + config(0) + ",\"layers\":[]}");
        assertEquals(RegistryException.Kind.INVALID, e.kind());
        assertEquals(
                "manifest of image " + ref() + " declares mediaType '" + OCI_MANIFEST
                        + "' but the registry served it as '" + OCI_INDEX + "'; the OCI image spec requires the two to"
                        + " match (CVE-2021-41190), so locald refuses the ambiguous document",
                e.getMessage());
    }

    @Test
    void matchingContentTypeIsAccepted() {
        contentTypes.put("/v2/hostile/app/manifests/1", OCI_MANIFEST + "; charset=utf-8");
        content.put(
                "/v2/hostile/app/manifests/1",
                ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\"," + config(0) + ",\"layers\":[]}")
                        .getBytes(StandardCharsets.UTF_8));
        ResolvedImage image = new ImageResolver(http(), new BlobFetcher(http())).resolve(ref());
        assertEquals("linux/amd64", image.platform());
    }

    @Test
    void artifactIsNotAnImage() {
        RegistryException e = resolveFails("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + config(0, "linux", "amd64", "application/vnd.cncf.helm.config.v1+json") + ",\"layers\":[]}");
        assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
        assertTrue(
                e.getMessage()
                        .contains("is not a container image: its config has media type"
                                + " 'application/vnd.cncf.helm.config.v1+json'"),
                e.getMessage());
        assertEquals(1, server.getRequestCount(), "the config blob of an artifact is not fetched");
    }

    @Test
    void configForAnotherPlatformIsRefused() {
        for (String[] platform : new String[][] {{"windows", "amd64"}, {"linux", "arm64"}}) {
            RegistryException e = resolveFails("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                    + config(0, platform[0], platform[1], "application/vnd.oci.image.config.v1+json")
                    + ",\"layers\":[]}");
            assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
            assertEquals(
                    "image " + ref() + " is for platform " + platform[0] + "/" + platform[1]
                            + ", not linux/amd64 which locald builds on",
                    e.getMessage());
        }
    }

    @Test
    void configWithoutPlatformTakesTheWantedOne() {
        // found by ManifestPropertyTest: the platform was recorded as "/"
        byte[] bytes = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
        content.put("/v2/hostile/app/blobs/" + Digest.ofBytes(bytes), bytes);
        content.put(
                "/v2/hostile/app/manifests/1",
                ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.ofBytes(bytes)
                                + "\",\"size\":" + bytes.length + "},\"layers\":[]}")
                        .getBytes(StandardCharsets.UTF_8));
        ResolvedImage image = new ImageResolver(http(), new BlobFetcher(http())).resolve(ref());
        assertEquals("linux/amd64", image.platform());
    }
}
