package dev.locald.builds;

import static dev.locald.testsupport.GitHttpServer.git;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.fixtures.PulledImage;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.GitHttpServer;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git sources end to end: a repository served by the real {@code git http-backend} on loopback (behind
 * Basic auth, as a private forge), built through {@code POST /builds} by branch, tag and commit with the
 * fixture builder under real runc; the published image's {@code /workspace} is the commit's files, without
 * {@code .git}. A wrong repository or ref fails the build with a sentence; the git credentials appear
 * nowhere in the record, the log or the data directory.
 */
@QuarkusTest
@TestProfile(GitSourceBuildTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitSourceBuildTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", "target/locald-git-e2e", "locald.builds.max-concurrent", "2");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "gitpass-7f3a9c";

    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;
    private GitHttpServer server;
    private String first;
    private Path served;
    private String second;

    @BeforeAll
    void start(@TempDir Path served) throws IOException {
        this.served = served;
        registry = TestRegistry.start();
        fixtures = FixtureImages.publishAll(registry);
        // the hello app under app/, a file next to it, and three commits: tagged, untagged, branch head
        Path work = Files.createDirectory(served.resolve("work"));
        git(work, "init", "-q");
        copy(FixtureFolder.app("hello"), work.resolve("app"));
        Files.writeString(work.resolve("README"), "outside the built path\n");
        Files.writeString(work.resolve("app/version.txt"), "one\n");
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "one");
        git(work, "tag", "-a", "-m", "release one", "v1");
        Files.writeString(work.resolve("app/version.txt"), "two\n");
        git(work, "commit", "-q", "-am", "two");
        first = git(work, "rev-parse", "v1^{commit}");
        second = git(work, "rev-parse", "HEAD");
        Files.writeString(work.resolve("app/version.txt"), "three\n");
        git(work, "commit", "-q", "-am", "three");
        git(served, "clone", "-q", "--bare", "work", "app.git");
        server = GitHttpServer.start(served);
        server.requireBasicAuth("ci-bot", PASSWORD);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void branchTagAndCommitBuildTheirOwnFilesWithoutGitMetadata() throws Exception {
        for (String[] ref :
                List.of(new String[] {"main", "three"}, new String[] {"v1", "one"}, new String[] {second, "two"})) {
            String repo = "e2e/git-" + (ref[0].length() > 10 ? "commit" : ref[0]);
            String location = submit(repo, Map.of("url", server.url("app.git"), "ref", ref[0], "path", "app"));
            JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
            String log = BuildsApi.textLog(location);
            assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
            PulledImage image = PulledImage.pull(
                    registry, repo, build.path("result").path("digest").asText());
            assertEquals(ref[1] + "\n", image.file("workspace/version.txt"), ref[0]);
            assertEquals(
                    List.of(
                            "workspace/",
                            "workspace/app.sh",
                            "workspace/public/",
                            "workspace/public/index.html",
                            "workspace/version.txt"),
                    workspaceEntries(image),
                    ref[0]);
            String commit = ref[1].equals("one") ? first : ref[1].equals("two") ? second : null;
            if (commit != null) {
                assertTrue(log.contains("fetched commit " + commit + " (" + ref[0] + ")"), log);
            }
            assertNoSecret(location, log);
        }
    }

    @Test
    void aWrongRefFailsTheBuildWithASentence() throws Exception {
        String location = submit("e2e/git-bad-ref", Map.of("url", server.url("app.git"), "ref", "no-such"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertEquals(
                "the git source could not be fetched: the repository " + server.url("app.git")
                        + " has no branch or tag named 'no-such'",
                build.path("error").asText());
        assertTrue(build.path("phases").isEmpty(), build.toPrettyString());
        assertNoSecret(location, BuildsApi.textLog(location));
    }

    @Test
    void aWrongRepositoryFailsTheBuildWithASentence() throws Exception {
        String location = submit("e2e/git-bad-url", Map.of("url", server.url("missing.git"), "ref", "main"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        String error = build.path("error").asText();
        assertTrue(
                error.startsWith("the git source could not be fetched: could not read the git repository "
                        + server.url("missing.git") + ": "),
                error);
        assertNoSecret(location, BuildsApi.textLog(location));
    }

    @Test
    void cancellingDuringTheFetchStopsItAndLeavesNoScratchRepository() throws Exception {
        try (GitHttpServer slow = GitHttpServer.start(served)) {
            slow.stall(Duration.ofSeconds(2));
            String location = submit("e2e/git-cancel", Map.of("url", slow.url("app.git"), "ref", "main"));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!BuildsApi.textLog(location).contains("fetching " + slow.url("app.git"))) {
                assertTrue(System.nanoTime() < deadline, BuildsApi.textLog(location));
                Thread.sleep(50);
            }
            given().post(location + "/cancel").then().statusCode(org.hamcrest.Matchers.oneOf(200, 202));
            JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(2));
            assertEquals("cancelled", build.path("state").asText(), build.toPrettyString());
            assertTrue(build.path("phases").isEmpty(), build.toPrettyString());
            String id = location.substring(location.lastIndexOf('/') + 1);
            Path data = Path.of(ConfigProvider.getConfig().getValue("locald.data-dir", String.class));
            assertFalse(Files.exists(data.resolve("work").resolve(id).resolve("git")), "scratch repository left");
            assertFalse(Files.exists(data.resolve("work").resolve(id).resolve("build")), "build dir left");
        }
    }

    private String submit(String repo, Map<String, String> git) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", registry.hostPort() + "/" + repo + ":1");
        request.put("builder", fixtures.busybox().image().reference());
        request.put("trustBuilder", true);
        request.put("source", Map.of("git", git));
        request.put("gitAuth", Map.of("username", "ci-bot", "password", PASSWORD));
        return given().contentType("application/json")
                .body(JSON.writeValueAsString(request))
                .post("/builds")
                .then()
                .statusCode(202)
                .extract()
                .header("Location");
    }

    /** The password is in no answer, no log line and no file locald wrote. */
    private static void assertNoSecret(String location, String log) throws IOException {
        assertFalse(log.contains(PASSWORD), log);
        String record = given().get(location).asString();
        assertFalse(record.contains(PASSWORD), record);
        assertNull(JSON.readTree(record).path("spec").get("gitAuth"), record);
        Path data = Path.of(ConfigProvider.getConfig().getValue("locald.data-dir", String.class));
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (Files.size(f) < (8 << 20)) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(text.contains(PASSWORD), "the git password is stored in " + f);
                }
            }
        }
    }

    /** The names under workspace/ in the image's layers, sorted. */
    private static List<String> workspaceEntries(PulledImage image) {
        TreeSet<String> names = new TreeSet<>();
        for (byte[] tar : image.layerTars()) {
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
                for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    String name = e.getName().replaceFirst("^\\.?/", "");
                    if (name.startsWith("workspace/")) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ArrayList<>(names);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
