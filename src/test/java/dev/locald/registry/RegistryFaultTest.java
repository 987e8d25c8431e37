package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.store.BlobStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults a real registry will not produce, served by mock servers: bad bytes, cut transfers, 5xx, huge manifests, redirects. */
class RegistryFaultTest {

    static final byte[] BLOB = "layer bytes that the registry should serve".getBytes(StandardCharsets.UTF_8);
    static final Digest DIGEST = Digest.ofBytes(BLOB);

    @TempDir
    Path dir;

    MockWebServer server;
    BlobStore store;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        store = new BlobStore(dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    RegistryHttpClient client(int retries) {
        return client(retries, Duration.ofSeconds(60));
    }

    RegistryHttpClient client(int retries, Duration requestTimeout) {
        RegistrySettings settings = RegistrySettings.defaults(
                        dir.resolve("absent.json"), Set.of("127.0.0.1:" + server.getPort()))
                .withRetries(retries, Duration.ofMillis(5))
                .withRequestTimeout(requestTimeout);
        return new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
    }

    ImageReference ref() {
        return ImageReference.parse("127.0.0.1:" + server.getPort() + "/fault/app:1");
    }

    static MockResponse ok(byte[] body) {
        return new MockResponse.Builder()
                .code(200)
                .body(new Buffer().write(body))
                .build();
    }

    static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).body("{\"errors\":[]}").build();
    }

    void assertStoreEmpty() throws IOException {
        assertEquals(Optional.empty(), store.find(DIGEST));
        assertEquals(0, store.tempFileCount(), "no temp file left");
        assertEquals(0, store.totalBytes());
    }

    Path ensure(RegistryHttpClient http, Optional<RegistryCredential> credential) throws IOException {
        return store.ensure(DIGEST, BLOB.length, new BlobFetcher(http).source(ref(), DIGEST, BLOB.length, credential));
    }

    @Test
    void bytesNotMatchingTheDigestAreRefused() throws IOException {
        byte[] wrong = BLOB.clone();
        wrong[3] ^= 1;
        server.enqueue(ok(wrong));
        RegistryException e = assertThrows(RegistryException.class, () -> ensure(client(3), Optional.empty()));
        assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
        assertTrue(e.getMessage().startsWith("blob " + DIGEST + " does not match its digest"), e.getMessage());
        assertEquals(1, server.getRequestCount(), "a digest mismatch is not retried");
        assertStoreEmpty();
    }

    @Test
    void moreBytesThanTheDescriptorAreRefused() throws IOException {
        byte[] longer = java.util.Arrays.copyOf(BLOB, BLOB.length * 4);
        server.enqueue(ok(longer));
        RegistryException e = assertThrows(RegistryException.class, () -> ensure(client(3), Optional.empty()));
        assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
        assertStoreEmpty();
    }

    @Test
    void truncatedTransferIsRetriedFromScratchThenFails() throws IOException {
        MockResponse cut = new MockResponse.Builder()
                .code(200)
                .body(new Buffer().write(BLOB))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
                .build();
        server.enqueue(cut);
        server.enqueue(cut);
        RegistryException e = assertThrows(RegistryException.class, () -> ensure(client(1), Optional.empty()));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertTrue(
                e.getMessage()
                        .startsWith("could not fetch blob " + DIGEST + " of " + ref().name() + " after 2 attempt(s)"),
                e.getMessage());
        assertEquals(2, server.getRequestCount());
        assertStoreEmpty();
    }

    @Test
    void truncatedTransferThenSuccessStoresTheWholeBlob() throws IOException {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body(new Buffer().write(BLOB))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false))
                .build());
        server.enqueue(ok(BLOB));
        Path blob = ensure(client(3), Optional.empty());
        assertArrayEquals(BLOB, Files.readAllBytes(blob));
        assertEquals(2, server.getRequestCount());
    }

    @Test
    void stalledTransferIsAbandonedAndRetried() throws IOException {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body(new Buffer().write(BLOB))
                .throttleBody(4, 10, TimeUnit.SECONDS)
                .build());
        server.enqueue(ok(BLOB));
        server.enqueue(ok(BLOB));
        long start = System.nanoTime();
        Path blob = ensure(client(3, Duration.ofSeconds(1)), Optional.empty());
        assertArrayEquals(BLOB, Files.readAllBytes(blob));
        assertTrue(server.getRequestCount() >= 2);
        assertTrue(System.nanoTime() - start < 9_000_000_000L, "the stall was cut short, not waited out");
    }

    @Test
    void slowButSteadyTransferLongerThanTheRequestTimeoutCompletes() throws IOException {
        byte[] big = new byte[24 * 1024];
        new java.util.Random(7).nextBytes(big);
        Digest digest = Digest.ofBytes(big);
        // 24 KiB at 2 KiB per 200 ms: about 2.4 s of steady progress against a 1 s timeout
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body(new Buffer().write(big))
                .throttleBody(2048, 200, TimeUnit.MILLISECONDS)
                .build());
        Path blob = store.ensure(
                digest,
                big.length,
                new BlobFetcher(client(0, Duration.ofSeconds(1))).source(ref(), digest, big.length, Optional.empty()));
        assertArrayEquals(big, Files.readAllBytes(blob));
    }

    @Test
    void serverErrorsAreRetriedThenSucceed() throws IOException {
        server.enqueue(status(503));
        server.enqueue(status(500));
        server.enqueue(status(429));
        server.enqueue(ok(BLOB));
        Path blob = ensure(client(3), Optional.empty());
        assertArrayEquals(BLOB, Files.readAllBytes(blob));
        assertEquals(4, server.getRequestCount(), "three failures, then the success");
    }

    @Test
    void retriesAreBounded() throws IOException {
        for (int i = 0; i < 5; i++) {
            server.enqueue(status(502));
        }
        RegistryException e = assertThrows(RegistryException.class, () -> ensure(client(2), Optional.empty()));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertEquals(3, server.getRequestCount());
        assertStoreEmpty();
    }

    @Test
    void notFoundIsNotRetried() throws IOException {
        server.enqueue(status(404));
        RegistryException e = assertThrows(RegistryException.class, () -> ensure(client(3), Optional.empty()));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertEquals("blob " + DIGEST + " of " + ref().name() + " not found", e.getMessage());
        assertEquals(1, server.getRequestCount());
        assertStoreEmpty();
    }

    @Test
    void manifestOverTheLimitIsRefused() {
        byte[] huge = new byte[(4 << 20) + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        ImageResolver resolver = new ImageResolver(client(0), new BlobFetcher(client(0)));
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .setHeader("Content-Type", MediaTypes.OCI_MANIFEST)
                .body(new Buffer().write(huge))
                .build());
        RegistryException e = assertThrows(RegistryException.class, () -> resolver.resolve(ref()));
        assertEquals(RegistryException.Kind.TOO_LARGE, e.kind());
        assertEquals("manifest of image " + ref() + " is larger than the limit of 4194304 bytes", e.getMessage());

        // without a Content-Length the reading itself stops after the limit
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .setHeader("Content-Type", MediaTypes.OCI_MANIFEST)
                .chunkedBody(new Buffer().write(huge), 64 * 1024)
                .build());
        RegistryException chunked = assertThrows(RegistryException.class, () -> resolver.resolve(ref()));
        assertEquals(RegistryException.Kind.TOO_LARGE, chunked.kind());
    }

    @Test
    void manifestNotMatchingThePinnedDigestIsRefused() {
        byte[] manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
                .getBytes(StandardCharsets.UTF_8);
        server.enqueue(ok(manifest));
        ImageReference pinned = ref().withDigest(Digest.ofBytes("something else".getBytes(StandardCharsets.UTF_8)));
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> new ImageResolver(client(0), new BlobFetcher(client(0))).resolve(pinned));
        assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
    }

    @Test
    void redirectToStorageCarriesNoCredentials() throws Exception {
        try (MockWebServer storage = new MockWebServer()) {
            storage.start(InetAddress.getByName("127.0.0.1"), 0);
            storage.enqueue(ok(BLOB));
            String expected =
                    "Basic " + Base64.getEncoder().encodeToString("robot:t0p-secret".getBytes(StandardCharsets.UTF_8));
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    if (!expected.equals(request.getHeaders().get("Authorization"))) {
                        return new MockResponse.Builder()
                                .code(401)
                                .setHeader("WWW-Authenticate", "Basic realm=\"fault\"")
                                .build();
                    }
                    // a different host name for the same loopback interface: another origin
                    return new MockResponse.Builder()
                            .code(307)
                            .setHeader("Location", "http://localhost:" + storage.getPort() + "/bucket/blob?sig=abc")
                            .build();
                }
            });
            Path blob = ensure(client(0), Optional.of(new RegistryCredential.Basic("robot", "t0p-secret")));
            assertArrayEquals(BLOB, Files.readAllBytes(blob));

            RecordedRequest anonymous = server.takeRequest(5, TimeUnit.SECONDS);
            assertNull(anonymous.getHeaders().get("Authorization"));
            RecordedRequest authed = server.takeRequest(5, TimeUnit.SECONDS);
            assertEquals(expected, authed.getHeaders().get("Authorization"), "the registry itself gets the credential");
            RecordedRequest atStorage = storage.takeRequest(5, TimeUnit.SECONDS);
            assertNotNull(atStorage);
            assertEquals("/bucket/blob?sig=abc", atStorage.getTarget());
            assertNull(atStorage.getHeaders().get("Authorization"), "storage backend must not see the credential");
        }
    }

    /**
     * A registry that redirects a blob, or names a token service, on a link-local address (where cloud metadata
     * services answer) is refused before any connection there, and the failure is not retried.
     */
    @Test
    void redirectsAndTokenServicesOnLinkLocalAddressesAreRefused() throws Exception {
        for (String location : new String[] {
            "http://169.254.169.254/latest/meta-data/iam/",
            "http://[fe80::1]:8080/x",
            "http://[::ffff:169.254.169.254]/x",
        }) {
            server.enqueue(new MockResponse.Builder()
                    .code(307)
                    .setHeader("Location", location)
                    .build());
            long start = System.nanoTime();
            RegistryException e = assertThrows(RegistryException.class, () -> ensure(client(3), Optional.empty()));
            assertEquals(RegistryException.Kind.UNREACHABLE, e.kind(), location);
            assertTrue(e.getMessage().contains("is a link-local address (169.254.0.0/16, fe80::/10)"), e.getMessage());
            assertTrue(
                    Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0,
                    "refused without waiting on a connection: " + location);
            assertStoreEmpty();
        }
        assertEquals(3, server.getRequestCount(), "one request each, no retry");

        server.enqueue(new MockResponse.Builder()
                .code(401)
                .setHeader("WWW-Authenticate", "Bearer realm=\"https://169.254.169.254/token\",service=\"x\"")
                .build());
        RegistryException token = assertThrows(
                RegistryException.class,
                () -> ensure(client(0), Optional.of(new RegistryCredential.Basic("robot", "t0p-secret"))));
        assertTrue(
                token.getMessage().startsWith("locald does not connect to https://169.254.169.254"),
                token.getMessage());
    }

    /** A registry named by a link-local literal is refused before the first connection (no 10 s connect timeout). */
    @Test
    void aLinkLocalRegistryIsNeverContacted() {
        for (String reference : new String[] {"169.254.169.254/x:1", "[fe80::1]:5000/x:1"}) {
            long start = System.nanoTime();
            RegistryException e = assertThrows(
                    RegistryException.class,
                    () -> new ImageResolver(client(3), new BlobFetcher(client(3)))
                            .resolve(ImageReference.parse(reference)));
            assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
            assertTrue(e.getMessage().contains("is a link-local address"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0, reference);
        }
    }

    @Test
    void bearerTokenFlow() throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                        + Digest.ofBytes(new byte[] {9}) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + Digest.ofBytes(config) + "\",\"size\":" + config.length + "},"
                        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                        + DIGEST
                        + "\",\"size\":" + BLOB.length + ",\"urls\":[\"http://example.invalid/never\"]}]}")
                .getBytes(StandardCharsets.UTF_8);
        String basic = "Basic " + Base64.getEncoder().encodeToString("me:pw".getBytes(StandardCharsets.UTF_8));
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                String auth = request.getHeaders().get("Authorization");
                if (path.equals("/token")) {
                    if (!basic.equals(auth)
                            || !"repository:fault/app:pull"
                                    .equals(request.getUrl().queryParameter("scope"))
                            || !"test-registry".equals(request.getUrl().queryParameter("service"))) {
                        return status(401);
                    }
                    return ok("{\"token\":\"tok-123\"}".getBytes(StandardCharsets.UTF_8));
                }
                if (!"Bearer tok-123".equals(auth)) {
                    return new MockResponse.Builder()
                            .code(401)
                            .setHeader(
                                    "WWW-Authenticate",
                                    "Bearer realm=\"http://127.0.0.1:" + server.getPort()
                                            + "/token\",service=\"test-registry\","
                                            + "scope=\"repository:fault/app:pull\"")
                            .build();
                }
                if (path.endsWith("/manifests/1")) {
                    return new MockResponse.Builder()
                            .code(200)
                            .setHeader("Content-Type", MediaTypes.OCI_MANIFEST)
                            .body(new Buffer().write(manifest))
                            .build();
                }
                if (path.endsWith("/blobs/" + Digest.ofBytes(config))) {
                    return ok(config);
                }
                return status(404);
            }
        });
        ResolvedImage resolved = new ImageResolver(client(0), new BlobFetcher(client(0)))
                .resolve(ref(), Optional.of(new RegistryCredential.Basic("me", "pw")));
        assertEquals(Digest.ofBytes(manifest), resolved.manifestDigest());
        assertEquals(DIGEST, resolved.layers().get(0).digest());
        assertEquals("linux/amd64", resolved.platform());
    }

    /** A registry token (a request's {"token": …}) is sent to the registry as Bearer, never to a token service. */
    @Test
    void registryTokenIsSentAsBearer() throws Exception {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (!"Bearer reg-tok".equals(request.getHeaders().get("Authorization"))) {
                    return new MockResponse.Builder()
                            .code(401)
                            .setHeader(
                                    "WWW-Authenticate",
                                    "Bearer realm=\"http://127.0.0.1:" + server.getPort() + "/token\"")
                            .build();
                }
                return ok(BLOB);
            }
        });
        Path blob = ensure(client(0), Optional.of(new RegistryCredential.Bearer("reg-tok")));
        assertArrayEquals(BLOB, Files.readAllBytes(blob));
        RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("Bearer reg-tok", first.getHeaders().get("Authorization"), "sent with the first request");
        assertEquals(1, server.getRequestCount(), "no challenge round trip, no token service");

        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder()
                        .code(401)
                        .setHeader(
                                "WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + server.getPort() + "/token\"")
                        .build();
            }
        });
        BlobStore empty = new BlobStore(dir.resolve("data-2"));
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> empty.ensure(
                        DIGEST,
                        BLOB.length,
                        new BlobFetcher(client(0))
                                .source(
                                        ref(),
                                        DIGEST,
                                        BLOB.length,
                                        Optional.of(new RegistryCredential.Bearer("other-tok")))));
        assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
        assertTrue(!e.getMessage().contains("other-tok"), e.getMessage());
    }

    /**
     * A token realm receives the credential: only an http(s) URL with a host will do, and plain HTTP only to
     * loopback or configured-insecure hosts. Each refusal is a sentence, not an internal error.
     */
    @Test
    void tokenRealmsThatAreNotHttpsUrlsAreRefused() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("file:///etc/passwd", "is not an http(s) URL with a host (scheme 'file')");
        expected.put("gopher://127.0.0.1/token", "is not an http(s) URL with a host (scheme 'gopher')");
        expected.put("mailto:me@example.com", "is not an http(s) URL with a host (scheme 'mailto')");
        expected.put("/token", "is not an http(s) URL with a host;");
        expected.put("https:///token", "is not an http(s) URL with a host (scheme 'https')");
        expected.put("http://a b/token", "is not a valid URL");
        expected.put("http://auth.example.invalid/token", "is not HTTPS: http://auth.example.invalid");
        for (Map.Entry<String, String> realm : expected.entrySet()) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return new MockResponse.Builder()
                            .code(401)
                            .setHeader("WWW-Authenticate", "Bearer realm=\"" + realm.getKey() + "\"")
                            .build();
                }
            });
            RegistryException e = assertThrows(
                    RegistryException.class,
                    () -> ensure(client(0), Optional.of(new RegistryCredential.Basic("me", "pw"))),
                    realm.getKey());
            assertEquals(RegistryException.Kind.INVALID, e.kind(), realm.getKey());
            assertTrue(
                    e.getMessage().startsWith("registry " + ref().registry() + " names a token service that "),
                    e.getMessage());
            assertTrue(e.getMessage().contains(realm.getValue()), realm.getKey() + ": " + e.getMessage());
        }
    }
}
