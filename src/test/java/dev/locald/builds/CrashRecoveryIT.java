package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.fs.TreeDeleter;
import dev.locald.testsupport.FakeInternet;
import dev.locald.testsupport.MultipartBuild;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * locald as a separate process (the packaged service), killed with SIGKILL in the middle of a phase and
 * started again on the same data dir: the build shows as failed with a reason, runc has no container
 * left in locald's state dir, no mount under the data dir remains, and the disk is back where it was.
 */
@ExtendWith(RegistryExtension.class)
class CrashRecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path data = Path.of("target/locald-crash-it").toAbsolutePath();
    private Process locald;

    @AfterEach
    void stop() throws Exception {
        if (locald != null && locald.isAlive()) {
            locald.destroy();
            locald.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBuildInterruptedBySigkillIsFailedAndCleanedUpOnRestart(TestRegistry registry) throws Exception {
        TreeDeleter.deleteTree(data);
        FixtureImages.Fixtures fixtures = FixtureImages.publishAll(registry);
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        locald = start(port, fixtures.lifecycle().reference());
        // a first build caches the builder, so the figure compared below is the store with it
        String builder = fixtures.busybox().image().reference();
        JsonNode warm = awaitFinished(base, submit(base, registry.hostPort() + "/crash/warm:1", builder));
        assertEquals("succeeded", warm.path("state").asText(), warm.toPrettyString());
        // build history, caches and image records (their last-use timestamps change with every pull)
        // legitimately change; everything else must come back to the byte. The bundles dir holds the warm
        // network namespace now (docs/engine.md §2); after the restart it must be empty (checked below)
        long before = usedBytesExcept(data, "builds", "cache", "images", "bundles");

        List<String> linksBefore = hostLinks();
        String id = submit(base, registry.hostPort() + "/crash/app:1", builder);
        awaitPhase(base, id, "builder");
        locald.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs

        locald = start(port, fixtures.lifecycle().reference());
        JsonNode build = get(base, "/builds/" + id);
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.path("error").asText().contains("locald stopped while this build was running"),
                build.toPrettyString());
        assertEquals("", runcList(), "runc still lists a container in locald's state dir");
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertFalse(mounts.anyMatch(l -> l.contains(data.toString())), "a mount under the data dir remains");
        }
        // the builder ran in an isolated network: its pasta went with the sweep (its namespace with the mounts)
        assertEquals(List.of(), FakeInternet.pastaProcesses(data), "a pasta process of the killed build remains");
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(
                    List.of(),
                    mounts.filter(l -> l.contains("nsfs") && l.contains(data.toString()))
                            .toList());
        }
        // pasta's tap lives in the namespace; no interface of the build may be left on the host
        List<String> linksAfter = hostLinks();
        assertEquals(
                List.of(),
                linksAfter.stream().filter(l -> !linksBefore.contains(l)).toList(),
                "interfaces appeared on the host: " + linksAfter);
        assertFalse(Files.exists(data.resolve("work").resolve(id)), "the build's work dir remains");
        assertEquals(
                before,
                usedBytesExcept(data, "builds", "cache", "images", "bundles"),
                "disk usage did not return to its level");
        try (Stream<Path> bundles = Files.list(data.resolve("bundles"))) {
            assertEquals(List.of(), bundles.toList(), "bundles or network namespace dirs remain");
        }
    }

    /**
     * The host's interface names; veths of the tests' fake internets ({@code ldfi}), which other tests on
     * the machine add and remove meanwhile, are left out.
     */
    private static List<String> hostLinks() throws Exception {
        return java.util.Arrays.stream(FakeInternet.run("ip", "-o", "link").split("\n"))
                .map(line -> line.split(":\\s+")[1].split("@")[0])
                .filter(name -> !name.startsWith("ldfi"))
                .sorted()
                .toList();
    }

    /** {@code lifecycleImage}: the fixture lifecycle image, which the untrusted builds' analyzer and exporter run on. */
    private Process start(int port, String lifecycleImage) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "run after `mvn package`: " + jar + " is missing");
        Process p = new ProcessBuilder(
                        "java",
                        "-Dquarkus.http.port=" + port,
                        "-Dlocald.data-dir=" + data,
                        // the packaged service runs the prod profile; the test registry is on loopback
                        "-Dlocald.registry.allow-loopback=true",
                        "-Dlocald.lifecycle.image=" + lifecycleImage,
                        "-Dlocald.runtime.cgroup-parent=locald-crash-it",
                        "-jar",
                        jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(data.resolveSibling("locald-crash-it.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "locald exited; see target/locald-crash-it.log");
            try {
                if (http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://127.0.0.1:" + port + "/q/health/started"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("locald did not start within 60 s");
    }

    private String submit(URI base, String image, String builder) throws Exception {
        HttpResponse<String> response = http.send(
                MultipartBuild.request(
                        base,
                        JSON.writeValueAsString(Map.of("image", image, "builder", builder)),
                        FixtureFolder.appTar("hello")),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("id").asText();
    }

    private JsonNode get(URI base, String path) throws Exception {
        return JSON.readTree(
                http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    private JsonNode awaitFinished(URI base, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode build = get(base, "/builds/" + id);
            if (build.path("finishedAt").isTextual()) {
                return build;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("build " + id + " did not finish");
    }

    private void awaitPhase(URI base, String id, String phase) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (phase.equals(get(base, "/builds/" + id).path("currentPhase").asText())) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("build " + id + " never reached the " + phase);
    }

    private String runcList() throws Exception {
        Process p = new ProcessBuilder("runc", "--root", data.resolve("runc").toString(), "list", "-q")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    /** Bytes of regular files under {@code root}, leaving out the named top-level dirs (history, caches). */
    private static long usedBytesExcept(Path root, String... skipped) throws IOException {
        long[] total = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                for (String s : skipped) {
                    if (dir.equals(root.resolve(s))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()
                        && !file.getFileName().toString().endsWith(".lock")
                        && !file.startsWith(root.resolve("layers/used"))) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
