package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.json.Json;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import dev.locald.pull.ImagePuller;
import dev.locald.pull.LayerRefusedException;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import dev.locald.store.StoredBlob;
import dev.locald.store.StoredLayer;
import dev.locald.testsupport.LayerTar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import okio.Buffer;

/**
 * Property-based hostile manifests (jqwik, in the normal {@code mvn test}): a valid image (OCI or Docker
 * manifest, 0–3 small real layers, optionally behind an index or an index of an index, with entries for
 * other platforms) is generated, then up to four random mutations hit its config, manifest or index —
 * fields removed, added or replaced by junk (wrong types, huge and negative numbers, unicode, nested
 * arrays, odd media types, bad and foreign digests, descriptor {@code urls}, other platforms, empty arrays)
 * or the document truncated. Descriptors are recomputed bottom up, so a mutation is only caught by the
 * checks it targets. The image is pulled into fresh stores from a mock registry. Invariants:
 * <ul>
 *   <li>a pull either succeeds with a consistent image (manifest and config match their digests, the
 *       platform is linux/amd64, layers match the manifest and the diff_ids), or fails with a
 *       {@link RegistryException} or {@link LayerRefusedException} with a message — nothing else;</li>
 *   <li>a refused image leaves no image record and no temp file or dir, and the stores hold only blobs
 *       and layers that are genuine parts of the generated image.</li>
 * </ul>
 * A failure prints the seed; {@code docs/security.md} says how to re-run it.
 */
class ManifestPropertyTest {

    static final ExtractionLimits LIMITS = new ExtractionLimits(1L << 20, 100, 1000, 4096, 1L << 20);
    static final String REPO = "prop/app";
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static MockWebServer server;
    static final Map<String, byte[]> content = new ConcurrentHashMap<>();
    static final Map<String, String> contentTypes = new ConcurrentHashMap<>();

    @BeforeContainer
    static void start() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                byte[] body = content.get(path);
                if (body == null) {
                    return new MockResponse.Builder().code(404).build();
                }
                MockResponse.Builder response = new MockResponse.Builder().code(200);
                String type = contentTypes.get(path);
                if (type != null) {
                    response.setHeader("Content-Type", type);
                }
                return response.body(new Buffer().write(body)).build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    enum Shape {
        MANIFEST,
        INDEX,
        NESTED_INDEX
    }

    /** Which document a mutation hits. */
    enum Doc {
        CONFIG,
        MANIFEST,
        INDEX
    }

    enum Op {
        REMOVE,
        REPLACE,
        ADD,
        TRUNCATE
    }

    enum Junk {
        NULL,
        TRUE,
        ZERO,
        NEGATIVE,
        ONE_MORE,
        LONG_MAX,
        HUGE,
        FRACTION,
        EMPTY_STRING,
        UNICODE,
        SHORT_DIGEST,
        UPPER_DIGEST,
        SHA512_DIGEST,
        OTHER_DIGEST,
        ODD_MEDIA_TYPE,
        INDEX_MEDIA_TYPE,
        MANIFEST_MEDIA_TYPE,
        DOCKER_LIST_MEDIA_TYPE,
        CONFIG_MEDIA_TYPE,
        LAYER_MEDIA_TYPE,
        EMPTY_ARRAY,
        EMPTY_OBJECT,
        NESTED_ARRAYS,
        URLS,
        OTHER_PLATFORM,
        OUR_PLATFORM
    }

    static final List<String> FIELD_NAMES = List.of(
            "mediaType",
            "digest",
            "size",
            "urls",
            "platform",
            "manifests",
            "layers",
            "config",
            "schemaVersion",
            "annotations",
            "os",
            "architecture",
            "variant",
            "rootfs",
            "diff_ids",
            "Env",
            "Labels",
            "x-ünïcødé-\u202e");

    /** @param node which container (object or array) of the document, modulo their count */
    record Mutation(Doc doc, Op op, Junk junk, int node, int field) {}

    enum Served {
        NONE,
        MATCHING,
        APPLICATION_JSON,
        OTHER
    }

    record Spec(
            boolean docker,
            boolean gzip,
            int layers,
            Shape shape,
            int otherPlatforms,
            boolean emptyConfigPlatform,
            Served served,
            List<Mutation> mutations) {}

    // bounded for < 30 s on 2 cores: each try pulls into fresh stores (fsync included)
    @Property(tries = 150, shrinking = ShrinkingMode.BOUNDED)
    void pullEitherYieldsAConsistentImageOrRefusesCleanly(@ForAll("specs") Spec spec) throws IOException {
        content.clear();
        contentTypes.clear();
        Generated image = generate(spec);
        Path data = Files.createTempDirectory("manifest-prop");
        try {
            pullAndCheck(image, data);
        } finally {
            TreeDeleter.deleteTree(data);
        }
    }

    private static void pullAndCheck(Generated image, Path data) throws IOException {
        RegistrySettings settings = RegistrySettings.defaults(
                        data.resolve("absent.json"), Set.of("127.0.0.1:" + server.getPort()))
                .withRetries(0, Duration.ofMillis(1));
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        BlobStore blobs = new BlobStore(data);
        LayerStore layers = new LayerStore(data);
        ImageRecordStore records = new ImageRecordStore(data);
        ImagePuller puller = new ImagePuller(
                new ImageResolver(http, fetcher),
                fetcher,
                blobs,
                layers,
                new LayerExtractor(LIMITS),
                records,
                2,
                Duration.ofSeconds(30),
                Duration.ofMinutes(5),
                dev.locald.pull.Mirrors.NONE);
        ImageReference ref = ImageReference.parse("127.0.0.1:" + server.getPort() + "/" + REPO + ":1");
        ImagePuller.PulledImage pulled;
        try {
            pulled = puller.pull(ref, Optional.empty());
        } catch (RegistryException | LayerRefusedException e) {
            Statistics.collect(e instanceof RegistryException re ? re.kind().toString() : "LAYER_REFUSED");
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "blank message: " + e);
            assertEquals(List.of(), records.listAll(), "a refused image was recorded: " + e.getMessage());
            assertEquals(0, blobs.tempFileCount(), "a refused image left a temp blob: " + e.getMessage());
            assertEquals(0, layers.tempDirCount(), "a refused image left a temp layer dir: " + e.getMessage());
            for (StoredBlob blob : blobs.listAll()) {
                assertTrue(image.blobs().contains(blob.digest()), "a refused image left a foreign blob " + blob);
            }
            for (StoredLayer layer : layers.listAll()) {
                assertTrue(image.diffIds().contains(layer.diffId()), "a refused image left a foreign layer " + layer);
            }
            return;
        } catch (RuntimeException | Error e) {
            fail("unexpected " + e.getClass().getName() + ": " + e.getMessage(), e);
            return;
        }
        Statistics.collect("ACCEPTED");
        checkConsistent(pulled, records);
    }

    private static void checkConsistent(ImagePuller.PulledImage pulled, ImageRecordStore records) throws IOException {
        ResolvedImage image = pulled.image();
        byte[] manifestBytes = image.manifestBytes();
        assertEquals(Digest.ofBytes(manifestBytes), image.manifestDigest());
        assertArrayEquals(content.get("/v2/" + REPO + "/manifests/" + image.manifestDigest()), manifestBytes);
        JsonNode manifest = Json.PLAIN.readTree(manifestBytes);
        assertEquals(Digest.parse(manifest.path("config").path("digest").asText()), image.configDigest());
        assertEquals(manifest.path("config").path("size").asLong(), image.configBytes().length);
        assertTrue(
                image.platform().equals("linux/amd64") || image.platform().startsWith("linux/amd64/"),
                image.platform());
        assertTrue(
                Set.of("", "linux").contains(image.config().os()),
                image.config().os());
        assertTrue(
                Set.of("", "amd64").contains(image.config().architecture()),
                image.config().architecture());
        List<LayerDescriptor> layers = image.layers();
        assertEquals(image.config().diffIds().size(), layers.size());
        assertEquals(manifest.path("layers").size(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            JsonNode node = manifest.path("layers").get(i);
            assertEquals(
                    Digest.parse(node.path("digest").asText()), layers.get(i).digest());
            assertEquals(node.path("size").asLong(), layers.get(i).size());
            assertEquals(image.config().diffIds().get(i), layers.get(i).diffId());
            assertTrue(Files.isDirectory(pulled.layerDirs().get(i)));
        }
        assertEquals(1, records.listAll().size());
    }

    // ---- generation ----

    record Generated(Set<Digest> blobs, Set<Digest> diffIds) {}

    private static Generated generate(Spec spec) {
        String blobPath = "/v2/" + REPO + "/blobs/";
        Set<Digest> blobs = new HashSet<>();
        Set<Digest> diffIds = new HashSet<>();
        ArrayNode layerNodes = NODES.arrayNode();
        ArrayNode diffIdNodes = NODES.arrayNode();
        for (int i = 0; i < spec.layers(); i++) {
            byte[] tar = LayerTar.create().file("f" + i, "layer " + i).toBytes();
            byte[] blob = spec.gzip() ? gzip(tar) : tar;
            Digest digest = Digest.ofBytes(blob);
            content.put(blobPath + digest, blob);
            blobs.add(digest);
            diffIds.add(Digest.ofBytes(tar));
            diffIdNodes.add(Digest.ofBytes(tar).toString());
            layerNodes.add(descriptor(layerType(spec), digest, blob.length));
        }
        ObjectNode config = NODES.objectNode();
        if (!spec.emptyConfigPlatform()) {
            config.put("architecture", "amd64").put("os", "linux");
        }
        config.putObject("config").putArray("Env").add("PATH=/usr/bin:/bin");
        config.putObject("rootfs").put("type", "layers").set("diff_ids", diffIdNodes);
        byte[] configBytes = mutate(spec, Doc.CONFIG, config);
        content.put(blobPath + Digest.ofBytes(configBytes), configBytes);

        ObjectNode manifest = NODES.objectNode().put("schemaVersion", 2);
        String manifestType = spec.docker() ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
        manifest.put("mediaType", manifestType);
        manifest.set(
                "config",
                descriptor(
                        spec.docker() ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG,
                        Digest.ofBytes(configBytes),
                        configBytes.length));
        manifest.set("layers", layerNodes);
        byte[] top = mutate(spec, Doc.MANIFEST, manifest);
        String topType = manifestType;
        String manifestPath = "/v2/" + REPO + "/manifests/";
        content.put(manifestPath + Digest.ofBytes(top), top);
        if (spec.shape() != Shape.MANIFEST) {
            String indexType = spec.docker() ? MediaTypes.DOCKER_LIST : MediaTypes.OCI_INDEX;
            int levels = spec.shape() == Shape.NESTED_INDEX ? 2 : 1;
            for (int level = 0; level < levels; level++) {
                ObjectNode index = NODES.objectNode().put("schemaVersion", 2).put("mediaType", indexType);
                ArrayNode entries = index.putArray("manifests");
                String[][] others = {{"linux", "arm64", "v8"}, {"windows", "amd64", ""}, {"unknown", "unknown", ""}};
                for (int i = 0; i < spec.otherPlatforms(); i++) {
                    byte[] absent = ("absent " + i).getBytes(StandardCharsets.UTF_8);
                    entries.add(platformed(descriptor(topType, Digest.ofBytes(absent), absent.length), others[i]));
                }
                entries.add(platformed(
                        descriptor(topType, Digest.ofBytes(top), top.length), new String[] {"linux", "amd64", ""}));
                top = mutate(spec, level == levels - 1 ? Doc.INDEX : Doc.MANIFEST, index);
                topType = indexType;
                content.put(manifestPath + Digest.ofBytes(top), top);
            }
        }
        content.put(manifestPath + "1", top);
        switch (spec.served()) {
            case NONE -> {}
            case MATCHING -> contentTypes.put(manifestPath + "1", topType);
            case APPLICATION_JSON -> contentTypes.put(manifestPath + "1", "application/json");
            case OTHER -> contentTypes.put(manifestPath + "1", "text/html; charset=utf-8");
        }
        return new Generated(blobs, diffIds);
    }

    private static String layerType(Spec spec) {
        if (spec.docker()) {
            return spec.gzip()
                    ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                    : "application/vnd.docker.image.rootfs.diff.tar";
        }
        return spec.gzip() ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar";
    }

    private static ObjectNode descriptor(String mediaType, Digest digest, long size) {
        return NODES.objectNode()
                .put("mediaType", mediaType)
                .put("digest", digest.toString())
                .put("size", size);
    }

    private static ObjectNode platformed(ObjectNode descriptor, String[] platform) {
        ObjectNode p = descriptor.putObject("platform").put("os", platform[0]).put("architecture", platform[1]);
        if (!platform[2].isEmpty()) {
            p.put("variant", platform[2]);
        }
        return descriptor;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Applies the spec's mutations of this document, then serialises it (truncating if asked). */
    private static byte[] mutate(Spec spec, Doc doc, ObjectNode root) {
        int truncateAt = -1;
        for (Mutation m : spec.mutations()) {
            if (m.doc() != doc) {
                continue;
            }
            if (m.op() == Op.TRUNCATE) {
                truncateAt = m.field();
                continue;
            }
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            JsonNode target = containers.get(m.node() % containers.size());
            if (target instanceof ObjectNode object) {
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                String name = m.op() == Op.ADD || names.isEmpty()
                        ? FIELD_NAMES.get(m.field() % FIELD_NAMES.size())
                        : names.get(m.field() % names.size());
                if (m.op() == Op.REMOVE) {
                    object.remove(name);
                } else {
                    object.set(name, junk(m.junk()));
                }
            } else if (target instanceof ArrayNode array) {
                if (m.op() == Op.ADD || array.isEmpty()) {
                    array.add(junk(m.junk()));
                } else if (m.op() == Op.REMOVE) {
                    array.remove(m.field() % array.size());
                } else {
                    array.set(m.field() % array.size(), junk(m.junk()));
                }
            }
        }
        byte[] bytes = root.toString().getBytes(StandardCharsets.UTF_8);
        return truncateAt < 0 ? bytes : Arrays.copyOf(bytes, truncateAt % Math.max(1, bytes.length));
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.elements().forEachRemaining(child -> collect(child, out));
        }
    }

    private static JsonNode junk(Junk junk) {
        return switch (junk) {
            case NULL -> NODES.nullNode();
            case TRUE -> NODES.booleanNode(true);
            case ZERO -> NODES.numberNode(0);
            case NEGATIVE -> NODES.numberNode(-1);
            case ONE_MORE -> NODES.numberNode(2);
            case LONG_MAX -> NODES.numberNode(Long.MAX_VALUE);
            case HUGE -> NODES.numberNode(new BigInteger("123456789012345678901234567890"));
            case FRACTION -> NODES.numberNode(1.5);
            case EMPTY_STRING -> NODES.textNode("");
            case UNICODE -> NODES.textNode("ℌ\u0000\uD83D\uDE00\u202e/../é");
            case SHORT_DIGEST -> NODES.textNode("sha256:abc");
            case UPPER_DIGEST -> NODES.textNode("sha256:" + "AB".repeat(32));
            case SHA512_DIGEST -> NODES.textNode("sha512:" + "ab".repeat(64));
            case OTHER_DIGEST -> NODES.textNode(Digest.ofBytes(new byte[] {42}).toString());
            case ODD_MEDIA_TYPE -> NODES.textNode("application/vnd.example.thing+json");
            case INDEX_MEDIA_TYPE -> NODES.textNode(MediaTypes.OCI_INDEX);
            case MANIFEST_MEDIA_TYPE -> NODES.textNode(MediaTypes.OCI_MANIFEST);
            case DOCKER_LIST_MEDIA_TYPE -> NODES.textNode(MediaTypes.DOCKER_LIST);
            case CONFIG_MEDIA_TYPE -> NODES.textNode(MediaTypes.OCI_CONFIG);
            case LAYER_MEDIA_TYPE -> NODES.textNode("application/vnd.oci.image.layer.v1.tar+zstd");
            case EMPTY_ARRAY -> NODES.arrayNode();
            case EMPTY_OBJECT -> NODES.objectNode();
            case NESTED_ARRAYS -> {
                ArrayNode outer = NODES.arrayNode();
                ArrayNode current = outer;
                for (int i = 0; i < 200; i++) {
                    current = current.addArray();
                }
                yield outer;
            }
            case URLS -> NODES.arrayNode().add("http://169.254.169.254/latest").add("file:///etc/passwd");
            case OTHER_PLATFORM -> NODES.objectNode().put("os", "windows").put("architecture", "arm64");
            case OUR_PLATFORM -> NODES.objectNode().put("os", "linux").put("architecture", "amd64");
        };
    }

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<Mutation> mutation = Combinators.combine(
                        Arbitraries.of(Doc.class),
                        Arbitraries.of(Op.class),
                        Arbitraries.of(Junk.class),
                        Arbitraries.integers().between(0, 40),
                        Arbitraries.integers().between(0, 4000))
                .as(Mutation::new);
        return Combinators.combine(
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.of(Shape.class),
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.of(true, false),
                        Arbitraries.of(Served.class),
                        mutation.list().ofMaxSize(4))
                .as(Spec::new);
    }
}
