package dev.locald.builds;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.FixtureContainer;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product, end to end: POST /builds with the sample app against the fixture builders in a real
 * registry, phases under real runc, the published image pulled back and run. The fixture builders carry
 * the fixture lifecycle here; {@link RealLifecycleEndToEndBuildTest} runs the same scenarios with the real
 * one (its own profile and data dir).
 */
@QuarkusTest
@TestProfile(EndToEndBuildTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndBuildTest {

    /**
     * The registry and fixtures start before locald, so that {@code locald.lifecycle.image} names the fixture
     * lifecycle image: untrusted builders' credentialed phases always run from it (docs/security.md).
     */
    public static class Profile implements QuarkusTestProfile {
        private final String dataDir;
        private final String lifecycle;

        public Profile() {
            this("target/locald-e2e", "fixture");
        }

        Profile(String dataDir, String lifecycle) {
            this.dataDir = dataDir;
            this.lifecycle = lifecycle;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", dataDir, "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(
                    LifecycleImageBuildTest.FixtureRegistry.class, Map.of("lifecycle", lifecycle)));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;
    private FixtureImages.Lifecycle lifecycle;

    @TempDir
    Path tmp;

    /** The lifecycle in the fixture builders' {@code /cnb/lifecycle}. */
    FixtureImages.Lifecycle lifecycle() {
        return FixtureImages.Lifecycle.fixture();
    }

    @BeforeAll
    void publishFixtures() {
        if (LifecycleImageBuildTest.FixtureRegistry.unavailable != null) {
            throw LifecycleImageBuildTest.FixtureRegistry.unavailable;
        }
        lifecycle = lifecycle();
        registry = LifecycleImageBuildTest.FixtureRegistry.registry;
        fixtures = LifecycleImageBuildTest.FixtureRegistry.fixtures;
    }

    @Test
    void sampleAppBuildsStreamsItsLogAndTheImageRuns() throws Exception {
        String target = registry.hostPort() + "/e2e/hello:1";
        String body = JSON.writeValueAsString(Map.of(
                "image",
                target,
                "builder",
                fixtures.busybox().image().reference(),
                "trustBuilder",
                true,
                "env",
                Map.of("GREETING", "from e2e")));
        String location = given().multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", FixtureFolder.appTar("hello"), "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");

        // the log streams live: the first phase line arrives while the build is still running
        List<String> lines = followTextLog(location);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[creator]")), String.join("\n", lines));

        JsonNode build = awaitFinished(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString());
        String digest = build.path("result").path("digest").asText();
        assertTrue(digest.startsWith("sha256:"), build.toPrettyString());

        PulledImage image = PulledImage.pull(registry, "e2e/hello", digest);
        assertEquals(digest, image.manifestDigest());
        FixtureContainer.Result run =
                image.runDefaultProcess(image.unpack(Files.createDirectory(tmp.resolve("run"))), List.of());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(
                run.stdout().contains("Hello from the locald fixture app (built by fixture/hello 1.0.0)"),
                run.output());
        // the request's env reached the buildpacks through /platform/env; they ran as the CNB user
        String record = image.file("layers/fixture_env-recorder/record/record.txt");
        assertTrue(record.contains("== platform-env ==\nGREETING=from e2e\n"), record);
        assertTrue(record.contains("uid=1000\ngid=1000\nuser=cnb\nHOME=/home/cnb\n"), record);
        assertNoLeftovers(location);
    }

    @Test
    void untrustedFivePhasesWithTheNoEtcBuilder() throws Exception {
        String target = registry.hostPort() + "/e2e/noetc:1";
        String body = JSON.writeValueAsString(Map.of(
                "image",
                target,
                "builder",
                fixtures.noEtc().image().reference(),
                "env",
                Map.of("GREETING", "no etc"),
                "registryAuth",
                Map.of("username", "ci-bot", "password", "hunter2-secret")));
        String location = given().multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", FixtureFolder.appTar("hello"), "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        JsonNode build = awaitFinished(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString());
        List<String> phases = build.path("phases").findValuesAsText("name");
        assertEquals(List.of("analyzer", "detector", "restorer", "builder", "exporter"), phases);
        PulledImage image = PulledImage.pull(
                registry, "e2e/noetc", build.path("result").path("digest").asText());
        FixtureContainer.Result run =
                image.runDefaultProcess(image.unpack(Files.createDirectory(tmp.resolve("run"))), List.of());
        assertTrue(
                run.stdout().contains("Hello from the locald fixture app (built by fixture/hello 1.0.0)"),
                run.output());
        // detector and builder never see the credentials, and run as the builder's CNB user (not 1000)
        String record = image.file("layers/fixture_env-recorder/record/record.txt");
        assertTrue(record.contains("uid=2345\ngid=2345\n"), record);
        assertTrue(record.contains("registry-auth-visible=no"), record);
        // the builder phase's /tmp is the disk directory in the work dir, not a tmpfs
        String tmpMount =
                record.lines().filter(l -> l.contains(" /tmp ")).findFirst().orElseThrow();
        assertFalse(tmpMount.contains(" - tmpfs "), tmpMount);
        assertTrue(record.contains("GREETING=no etc"), record);
        String log = given().accept("text/plain").get(location + "/logs").asString();
        assertFalse(log.contains("hunter2-secret"), log);
    }

    @Test
    void failingDetectGivesTheUserSentence() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "image",
                registry.hostPort() + "/e2e/nomatch:1",
                "builder",
                fixtures.busybox().image().reference(),
                "trustBuilder",
                false));
        String location = given().multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", FixtureFolder.appTar("no-match"), "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.toString().contains("no buildpack detected for this app (detector exit 20)"),
                build.toPrettyString());
        assertNoLeftovers(location);
    }

    @Test
    void secondBuildRestoresTheCacheAndClearCacheEmptiesIt() throws Exception {
        String target = registry.hostPort() + "/e2e/cached:1";
        String first = submit(
                Map.of("image", target, "builder", fixtures.busybox().image().reference(), "trustBuilder", true),
                "hello");
        assertEquals("succeeded", awaitFinished(first).path("state").asText());
        assertTrue(textLog(first).contains("cache empty: first build"), textLog(first));
        String second = submit(
                Map.of("image", target, "builder", fixtures.busybox().image().reference(), "trustBuilder", true),
                "hello");
        assertEquals("succeeded", awaitFinished(second).path("state").asText());
        assertTrue(textLog(second).contains("cache restored: 1"), textLog(second));
        assertTrue(textLog(second).contains("cache metadata restored: builds=1"), textLog(second));
        String cleared = submit(
                Map.of(
                        "image",
                        target,
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true,
                        "clearCache",
                        true),
                "hello");
        assertEquals("succeeded", awaitFinished(cleared).path("state").asText());
        assertTrue(textLog(cleared).contains("cache empty: first build"), textLog(cleared));
    }

    @Test
    void cancellingMidBuildLeavesNoContainerMountOrWorkDir() throws Exception {
        String location = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/cancelled:1",
                        "builder",
                        fixtures.busybox().image().reference()),
                "hello");
        // the real detector runs for ~50 ms, too short to poll for: cancel it from the analyzer on (~250 ms) instead
        List<String> cancelIn = lifecycle.isFixture() ? List.of("detector") : List.of("analyzer", "detector");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!cancelIn.contains(JSON.readTree(given().get(location).asString())
                .path("currentPhase")
                .asText(""))) {
            assertTrue(System.nanoTime() < deadline, "the build never reached the " + cancelIn);
            Thread.sleep(20);
        }
        given().post(location + "/cancel")
                .then()
                .statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(202)));
        JsonNode build = awaitFinished(location);
        assertEquals("cancelled", build.path("state").asText(), build.toPrettyString());
        assertNoLeftovers(location);
        assertEquals("", runcList(), "a container of the cancelled build is left");
    }

    @Test
    void buildPastItsDeadlineFailsWithATimeout() throws Exception {
        String location = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/slow:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "timeout",
                        "PT2S",
                        "env",
                        Map.of("FIXTURE_SLEEP", "60")),
                "hello");
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(build.path("error").asText().contains("timed out"), build.toPrettyString());
        assertNoLeftovers(location);
        assertEquals("", runcList(), "a container of the timed-out build is left");
    }

    /** urn:cnb:builder:id names a buildpack already in the builder: it goes into order.toml like a bare id. */
    @Test
    void builderUrnBuildpacksReplaceTheOrder() throws Exception {
        String location = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/urn:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true,
                        "buildpacks",
                        List.of("urn:cnb:builder:fixture/hello", "urn:cnb:builder:fixture/env-recorder@1.0.0")),
                "hello");
        JsonNode build = awaitFinished(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString());
        String log = textLog(location);
        if (lifecycle.isFixture()) {
            // the fixture detector names the order file and each passing buildpack; the real one lists the group
            assertTrue(log.contains("Detecting with order /layers/order.toml"), log);
            assertTrue(log.contains("pass: fixture/hello@1.0.0"), log);
        } else {
            assertTrue(log.matches("(?s).*\\[creator\\] fixture/hello +1\\.0\\.0\n.*"), log);
        }
        assertFalse(log.contains("fixture/cache"), "the builder's own order was replaced: " + log);
    }

    /** What the request or builder makes impossible fails before any phase, with a sentence, not an internal error. */
    @Test
    void unusableBuildpacksOrBuilderWithoutRunImageFailWithASentence() throws Exception {
        String unknown = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/unknown-bp:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "buildpacks",
                        List.of("fixture/nope")),
                "hello");
        JsonNode build = awaitFinished(unknown);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.path("error")
                        .asText()
                        .startsWith("the buildpacks of the request cannot be used: builder "
                                + fixtures.busybox().image().reference() + " does not contain buildpack fixture/nope"),
                build.toPrettyString());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());

        // a builder label with a lifecycle but no run image (no images[], no stack.runImage)
        String label = "{\"buildpacks\":[],\"lifecycle\":{\"version\":\"0.0.1\",\"apis\":{"
                + "\"platform\":{\"deprecated\":[],\"supported\":[\"0.14\"]},"
                + "\"buildpack\":{\"deprecated\":[],\"supported\":[\"0.10\"]}}}}";
        String builder = registry.pusher()
                .push(
                        "e2e/builder-no-run",
                        "1",
                        dev.locald.testsupport.TestImage.builder()
                                .layer(dev.locald.testsupport.LayerTar.create().file("hello.txt", "hi"))
                                .env("CNB_USER_ID=1000")
                                .env("CNB_GROUP_ID=1000")
                                .user("1000:1000")
                                .label("io.buildpacks.builder.metadata", label)
                                .build())
                .reference();
        builder = registry.hostPort() + "/" + builder;
        String noRun = submit(Map.of("image", registry.hostPort() + "/e2e/no-run:1", "builder", builder), "hello");
        build = awaitFinished(noRun);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertEquals(
                "builder " + builder + " names no run image (its io.buildpacks.builder.metadata label has no"
                        + " images or stack.runImage); give one as runImage",
                build.path("error").asText());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
        assertNoLeftovers(noRun);
    }

    /** A builder whose config Env no process env can hold is refused with a sentence naming the entry. */
    @Test
    void builderWithAnUnusableEnvEntryIsRefusedWithASentence() throws Exception {
        String builder = registry.pusher()
                .push(
                        "e2e/builder-bad-env",
                        "1",
                        dev.locald.testsupport.TestImage.builder()
                                .layer(dev.locald.testsupport.LayerTar.create().file("hello.txt", "hi"))
                                .env("CNB_USER_ID=1000")
                                .env("CNB_GROUP_ID=1000")
                                .env("EVIL=1\nLD_PRELOAD=/x.so")
                                .user("1000:1000")
                                .build())
                .reference();
        builder = registry.hostPort() + "/" + builder;
        String location = submit(Map.of("image", registry.hostPort() + "/e2e/bad-env:1", "builder", builder), "hello");
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertEquals(
                "the builder " + builder + " cannot run: its config Env entry 'EVIL=1\\x0aLD_PRELOAD=/x.so' contains"
                        + " a line break",
                build.path("error").asText());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
        assertNoLeftovers(location);
    }

    /** A source the worker refuses (what the submission scan cannot see) is deleted at once, not at retention. */
    @Test
    void aSourceRefusedWhileUnpackingIsDeletedAtOnce() throws Exception {
        // a hardlink to a file that comes later: only unpacking in order tells
        byte[] source = dev.locald.testsupport.LayerTar.create()
                .hardlink("early", "later")
                .file("later", "x")
                .toBytes();
        String body = JSON.writeValueAsString(Map.of(
                "image",
                registry.hostPort() + "/e2e/refused-source:1",
                "builder",
                fixtures.busybox().image().reference()));
        String location = given().multiPart("build", body, "application/json")
                .multiPart("source", "app.tar", source, "application/x-tar")
                .when()
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.path("error").asText().startsWith("the app source was refused: hardlink 'early'"),
                build.toPrettyString());
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertFalse(Files.exists(Path.of("target/locald-e2e/work", id, "source.tar")), "the refused upload is kept");
        assertNoLeftovers(location);
    }

    @Test
    void failingBuildGivesTheUserSentenceAndTheBuildpacksMessage() throws Exception {
        String location = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/failbuild:1",
                        "builder",
                        fixtures.busybox().image().reference()),
                "fail-build");
        JsonNode build = awaitFinished(location);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(build.path("error").asText().contains("(builder exit 51)"), build.toPrettyString());
        assertTrue(
                textLog(location).contains("[builder] fixture/fail-build: failing the build on purpose"),
                textLog(location));
        assertNoLeftovers(location);
    }

    /**
     * execEnv needs platform API 0.15: the fixture lifecycle (0.12–0.14) fails the build with a sentence before any
     * phase, the real one (0.7–0.15) builds with it (docs/lifecycle.md).
     */
    @Test
    void execEnvFailsWithASentenceBelowPlatform015AndBuildsAtIt() throws Exception {
        boolean has015 = dev.locald.fixtures.FixtureFolder.readToml(lifecycle().descriptor())
                .path("apis")
                .path("platform")
                .path("supported")
                .toString()
                .contains("\"0.15\"");
        String location = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/exec-env:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "execEnv",
                        "test"),
                "hello");
        JsonNode build = awaitFinished(location);
        if (has015) {
            assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + textLog(location));
            assertTrue(textLog(location).contains("platform API 0.15"), textLog(location));
        } else {
            assertEquals("failed", build.path("state").asText(), build.toPrettyString());
            assertTrue(
                    build.path("error")
                            .asText()
                            .startsWith("execEnv test needs platform API 0.15, but this build runs at 0.14"),
                    build.toPrettyString());
            assertEquals(0, build.path("phases").size(), build.toPrettyString());
        }
        assertEquals("test", build.path("request").path("execEnv").asText(), build.toPrettyString());
        assertNoLeftovers(location);
    }

    @Test
    void sseClientResumingWithLastEventIdMissesAndRepeatsNothing() throws Exception {
        String location = submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/sse:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true),
                "hello");
        // first connection: read a few events while the build runs, then drop it
        List<String[]> first = sse(location, null, 5);
        assertEquals(5, first.size());
        awaitFinished(location);
        List<String[]> rest = sse(location, first.get(first.size() - 1)[0], Integer.MAX_VALUE);
        List<String[]> all = sse(location, null, Integer.MAX_VALUE);
        List<String> resumed = new java.util.ArrayList<>();
        first.forEach(e -> resumed.add(e[0] + " " + e[1]));
        rest.forEach(e -> resumed.add(e[0] + " " + e[1]));
        assertEquals(all.stream().map(e -> e[0] + " " + e[1]).toList(), resumed);
        assertTrue(all.size() > 20, "expected a real build's log, got " + all.size() + " events");
    }

    /** Up to {@code max} SSE data events as (id, data), over a raw socket, optionally resuming. */
    private static List<String[]> sse(String location, String lastEventId, int max) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream()
                    .write(("GET " + location + "/logs?follow=true HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Accept: text/event-stream\r\n"
                                    + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<String[]> events = new java.util.ArrayList<>();
            String id = null;
            String line;
            while (events.size() < max && (line = in.readLine()) != null) {
                if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:") && id != null) {
                    events.add(new String[] {id, line.substring(5).trim()});
                    id = null;
                }
            }
            return events;
        }
    }

    private static String submit(Map<String, Object> request, String app) throws Exception {
        return BuildsApi.submit(request, FixtureFolder.appTar(app));
    }

    private static String textLog(String location) {
        return BuildsApi.textLog(location);
    }

    /** Containers in locald's own runc state dir (the e2e data dir's runc/). */
    private static String runcList() throws Exception {
        Process p = new ProcessBuilder(
                        "runc",
                        "--root",
                        dataDir().resolve("runc").toAbsolutePath().toString(),
                        "list",
                        "-q")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    private static void assertNoLeftovers(String location) throws IOException {
        String id = location.substring(location.lastIndexOf('/') + 1);
        Path work = dataDir().resolve("work").resolve(id).resolve("build");
        assertFalse(Files.exists(work), "work dir left behind: " + work);
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(mounts.anyMatch(l -> l.contains(id)), "a mount of build " + id + " is left");
        }
    }

    private static Path dataDir() {
        return Path.of(ConfigProvider.getConfig().getValue("locald.data-dir", String.class));
    }

    private static JsonNode awaitFinished(String location) throws Exception {
        return BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
    }

    /** Reads {@code logs?follow=true} over a raw socket, checking that a phase line arrives before the end. */
    private static List<String> followTextLog(String location) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        String path = location.replaceFirst("^https?://[^/]+", "") + "/logs?follow=true";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n"
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            boolean phaseLineWhileRunning = false;
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                seen.write(buffer, 0, n);
                if (!phaseLineWhileRunning
                        && seen.toString(StandardCharsets.UTF_8).contains("[creator]")) {
                    String state = JSON.readTree(given().get(location).asString())
                            .path("state")
                            .asText();
                    phaseLineWhileRunning = state.equals("running");
                }
            }
            assertTrue(phaseLineWhileRunning, "no phase line arrived while the build was running");
            String text = seen.toString(StandardCharsets.UTF_8);
            return List.of(text.substring(text.indexOf("\r\n\r\n") + 4).split("\n"));
        }
    }
}
