package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.fs.TreeDeleter;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.MultipartBuild;
import dev.locald.testsupport.RealCnb;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.RootModeOnly;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rootless mode (docs/operations.md, "Rootless mode") end to end: run as root (as CI does), the test makes an
 * ordinary user with subordinate ids (doing the one-time root step {@code rootless_preflight} prints), starts the
 * packaged locald as that user with {@code runuser … scripts/locald}, and through the API pulls a builder and runs
 * trusted and untrusted builds with the fixture builders and with the real lifecycle. The fixture hello buildpack
 * runs {@code FIXTURE_HOOK} in the build phase and prints who it is, the synthesized /etc/passwd, its mount table
 * and /dev. On the host: nothing under the data dir is owned by real root, and after a cancel, a timeout and a
 * SIGKILL of the java process no process of the user or its subordinate ids, no mount and no bound netns file is
 * left; the restarted locald marks the killed build failed.
 */
@ExtendWith(RegistryExtension.class)
class RootlessIT {

    static final String USER = "locald-it";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHECKOUT = Path.of("").toAbsolutePath();
    private static final String PROBE = "echo \"probe-id: $(id)\"; sed 's/^/probe-passwd: /' /etc/passwd;"
            + " sed 's/^/probe-mount: /' /proc/self/mountinfo; ls -l /dev | sed 's/^/probe-dev: /';"
            + " echo x > /dev/null && head -c 16 /dev/urandom | wc -c | sed 's/^/probe-urandom: /'";

    private final HttpClient http = HttpClient.newHttpClient();
    private Process locald;

    @AfterEach
    void stop() throws Exception {
        if (locald != null && locald.isAlive()) {
            // SIGKILL of the java process ends the namespace's init and with it everything locald started
            javaOf(locald).ifPresent(ProcessHandle::destroyForcibly);
            if (!locald.waitFor(30, TimeUnit.SECONDS)) {
                locald.destroyForcibly();
            }
        }
    }

    @Test
    @RootModeOnly("it creates a host user and starts locald as that user, which takes the host's root")
    void buildsRunAsAnOrdinaryUserAndLeaveNothingBehind(TestRegistry registry) throws Exception {
        assertEquals(
                "0",
                run("id", "-u").strip(),
                "RootlessIT creates a user and runs locald as it: run the integration tests as root (CI does)");
        int uid = ensureUser();
        SubordinateIds sub = SubordinateIds.of(USER, uid);
        Path home = Path.of(run("getent", "passwd", USER).strip().split(":")[5]);
        Path data = home.resolve(".local/share/locald"); // the default data dir of rootless mode
        killProcessesOf(uid, sub, Set.of()); // left by an aborted earlier run
        TreeDeleter.deleteTree(data);

        FixtureImages.Fixtures fixtures = FixtureImages.publishAll(registry);
        // untrusted builds' registry phases run from <registry>/buildpacksio/lifecycle:{version}, as in dev mode
        FixtureImages.publishLifecycleAs(registry.hostPort(), registry.pusher(), "buildpacksio/lifecycle");
        RealCnb.Images real = RealCnb.publish(registry); // also pushes buildpacksio/lifecycle:<real version>
        String lifecycleImage = registry.hostPort() + "/buildpacksio/lifecycle:{version}";

        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        Path launch = launchable();
        locald = start(launch, port, lifecycleImage);

        JsonNode ready = get(base, "/q/health/ready");
        JsonNode mode = check(ready, "mode");
        assertEquals("rootless", mode.path("data").path("mode").asText(), ready.toPrettyString());

        // pull a builder through the image cache
        HttpResponse<String> pulled = post(
                base,
                "/images",
                JSON.writeValueAsString(
                        Map.of("reference", fixtures.busybox().image().reference())));
        assertEquals(200, pulled.statusCode(), pulled.body());
        assertEquals(
                1000,
                JSON.readTree(pulled.body()).path("builder").path("cnbUserId").asInt(),
                pulled.body());

        // fixture builders: trusted (creator) with /etc in the image, untrusted (five phases) without /etc
        String fixtureTrusted = submit(
                base,
                build(registry, "trusted", fixtures.busybox().image().reference(), true, Map.of("FIXTURE_HOOK", PROBE)),
                FixtureFolder.appTar("hello"));
        String fixtureUntrusted = submit(
                base,
                build(
                        registry,
                        "untrusted",
                        fixtures.noEtc().image().reference(),
                        false,
                        Map.of("FIXTURE_HOOK", PROBE)),
                FixtureFolder.appTar("hello"));
        byte[] procfileApp =
                LayerTar.create().file("Procfile", "web: echo hello\n").toBytes();
        String realTrusted =
                submit(base, build(registry, "real-trusted", real.tag("builder-1000"), true, Map.of()), procfileApp);
        String realUntrusted =
                submit(base, build(registry, "real-untrusted", real.tag("builder-1000"), false, Map.of()), procfileApp);
        for (String id : List.of(fixtureTrusted, fixtureUntrusted, realTrusted, realUntrusted)) {
            JsonNode done = awaitFinished(base, id);
            assertEquals("succeeded", done.path("state").asText(), done.toPrettyString() + log(base, id));
        }
        assertInside(log(base, fixtureTrusted), 1000, 1000);
        assertInside(log(base, fixtureUntrusted), 2345, 2345);
        assertNothingOwnedByRoot(data, uid, sub);
        assertNoLeftovers(data, uid, sub);

        // cancel in the middle of the build phase
        String cancelled = submit(
                base,
                build(
                        registry,
                        "cancel",
                        fixtures.busybox().image().reference(),
                        false,
                        Map.of("FIXTURE_HOOK", "sleep 600")),
                FixtureFolder.appTar("hello"));
        awaitPhase(base, cancelled, "builder");
        // while it runs, the checks below see its container (the CNB user's sleep, a subordinate id) and its rootfs
        // overlay in locald's mount namespace: what they find missing afterwards is gone, not unseen
        Set<Long> chain = localdChain(locald);
        assertTrue(
                processesOf(uid, sub).keySet().stream().anyMatch(pid -> !chain.contains(pid)),
                "no process of the running build is seen");
        assertFalse(
                mountsUnder(Path.of("/proc/" + javaOf(locald).orElseThrow().pid() + "/mountinfo"), data)
                        .isEmpty(),
                "no mount of the running build is seen");
        HttpResponse<String> cancel = post(base, "/builds/" + cancelled + "/cancel", "");
        assertTrue(cancel.statusCode() == 202 || cancel.statusCode() == 200, cancel.body());
        assertEquals("cancelled", awaitFinished(base, cancelled).path("state").asText());
        assertNoLeftovers(data, uid, sub);

        // the whole-build deadline
        Map<String, Object> slow = build(
                registry,
                "timeout",
                fixtures.busybox().image().reference(),
                false,
                Map.of("FIXTURE_HOOK", "sleep 600"));
        slow.put("timeout", 20);
        String timedOut = submit(base, slow, FixtureFolder.appTar("hello"));
        awaitPhase(base, timedOut, "builder");
        JsonNode timedOutBuild = awaitFinished(base, timedOut);
        assertEquals("failed", timedOutBuild.path("state").asText(), timedOutBuild.toPrettyString());
        assertTrue(timedOutBuild.path("error").asText().contains("timed out"), timedOutBuild.toPrettyString());
        assertNoLeftovers(data, uid, sub);

        // SIGKILL of the java process in the middle of the build phase (isolated network: pasta runs too)
        String killed = submit(
                base,
                build(
                        registry,
                        "killed",
                        fixtures.busybox().image().reference(),
                        false,
                        Map.of("FIXTURE_HOOK", "sleep 600")),
                FixtureFolder.appTar("hello"));
        awaitPhase(base, killed, "builder");
        javaOf(locald).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(locald.waitFor(30, TimeUnit.SECONDS), "runuser did not end after locald's java was killed");
        assertEquals(List.of(), awaitNoProcesses(uid, sub, Set.of()), "processes of the user outlived locald");
        assertEquals(List.of(), mountsUnder(Path.of("/proc/self/mountinfo"), data), "host mounts under the data dir");

        locald = start(launch, port, lifecycleImage);
        JsonNode after = get(base, "/builds/" + killed);
        assertEquals("failed", after.path("state").asText(), after.toPrettyString());
        assertTrue(
                after.path("error").asText().contains("locald stopped while this build was running"),
                after.toPrettyString());
        assertNoLeftovers(data, uid, sub);
        assertNothingOwnedByRoot(data, uid, sub);
    }

    // --- the user --------------------------------------------------------------------------------------------------

    /**
     * Creates {@value #USER} when missing and does the one-time root step that {@code rootless_preflight} prints for
     * it (subordinate ids, /dev/net/tun, packages); afterwards the preflight must pass. Idempotent.
     */
    private static int ensureUser() throws Exception {
        if (exec("id", "-u", USER).exitCode() != 0) {
            run("useradd", "-m", "-s", "/bin/bash", USER);
        }
        Result preflight = preflight();
        if (preflight.exitCode() != 0) {
            for (String line : preflight.output().split("\n")) {
                String step = line.strip();
                if (step.startsWith("sudo ")) {
                    run("sh", "-c", step.substring("sudo ".length()));
                }
            }
            preflight = preflight();
        }
        assertEquals(0, preflight.exitCode(), "rootless_preflight still fails after its root step:\n" + preflight);
        return Integer.parseInt(run("id", "-u", USER).strip());
    }

    private static Result preflight() throws Exception {
        return exec(
                "runuser",
                "-u",
                USER,
                "--",
                "bash",
                "-c",
                ". \"$1\"/scripts/lib/rootless.sh && rootless_preflight",
                "preflight",
                launchableScripts().toString());
    }

    /** The user's ids in the host namespace: its own and the subordinate range in /etc/subuid. */
    record SubordinateIds(long start, long count) {
        static SubordinateIds of(String user, int uid) throws IOException {
            for (String line : Files.readAllLines(Path.of("/etc/subuid"))) {
                String[] f = line.split(":");
                if (f.length == 3 && (f[0].equals(user) || f[0].equals(Integer.toString(uid)))) {
                    return new SubordinateIds(Long.parseLong(f[1]), Long.parseLong(f[2]));
                }
            }
            throw new AssertionError("no /etc/subuid range for " + user);
        }

        boolean owns(long id) {
            return id >= start && id < start + count;
        }
    }

    // --- locald as the user ----------------------------------------------------------------------------------------

    /** Where the user finds scripts/ and target/quarkus-app: this checkout, or a readable copy when it is not. */
    private static Path launchable() throws Exception {
        Path jar = CHECKOUT.resolve("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "run after `mvn package`: " + jar + " is missing");
        Path dir = launchableScripts();
        if (!dir.equals(CHECKOUT)) {
            TreeDeleter.deleteTree(dir.resolve("target"));
            Files.createDirectories(dir.resolve("target"));
            run("cp", "-a", CHECKOUT.resolve("target/quarkus-app").toString(), dir.resolve("target") + "/");
            run("chmod", "-R", "a+rX", dir.toString());
        }
        return dir;
    }

    /**
     * The checkout when {@value #USER} can read it (a checkout under /root is not), else a copy of scripts/ in
     * /var/tmp that it can.
     */
    private static Path launchableScripts() throws Exception {
        if (exec(
                                        "runuser",
                                        "-u",
                                        USER,
                                        "--",
                                        "test",
                                        "-x",
                                        CHECKOUT.resolve("scripts/locald").toString())
                                .exitCode()
                        == 0
                && exec(
                                        "runuser",
                                        "-u",
                                        USER,
                                        "--",
                                        "test",
                                        "-r",
                                        CHECKOUT.resolve("pom.xml").toString())
                                .exitCode()
                        == 0) {
            return CHECKOUT;
        }
        Path dir = Path.of("/var/tmp/locald-rootless-it");
        TreeDeleter.deleteTree(dir.resolve("scripts"));
        Files.createDirectories(dir);
        run("cp", "-a", CHECKOUT.resolve("scripts").toString(), dir + "/");
        run("chmod", "-R", "a+rX", dir.toString());
        return dir;
    }

    private Process start(Path launch, int port, String lifecycleImage) throws Exception {
        Path logFile = CHECKOUT.resolve("target/locald-rootless-it.log");
        ProcessBuilder pb = new ProcessBuilder(
                        "runuser",
                        "-u",
                        USER,
                        "--",
                        launch.resolve("scripts/locald").toString(),
                        "-Dquarkus.http.port=" + port,
                        // the packaged service runs the prod profile; the test registry is on loopback
                        "-Dlocald.registry.allow-loopback=true",
                        "-Dlocald.lifecycle.image=" + lifecycleImage)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // the user's own environment: no root's TMPDIR/XDG_RUNTIME_DIR, the JVM that runs this test on PATH
        Map<String, String> env = pb.environment();
        env.clear();
        String javaBin = Path.of(ProcessHandle.current().info().command().orElse("/usr/bin/java"))
                .getParent()
                .toString();
        env.put("PATH", javaBin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LANG", "C.UTF-8");
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "locald exited; see " + logFile);
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
        throw new AssertionError("locald did not start within 90 s; see " + logFile);
    }

    /** runuser → unshare → bash (the namespace's init) → java. */
    private static java.util.Optional<ProcessHandle> javaOf(Process runuser) {
        return runuser.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
    }

    /** runuser and the chain down to java: what may run as the user while locald is idle. */
    private static Set<Long> localdChain(Process runuser) {
        ProcessHandle java = javaOf(runuser).orElseThrow(() -> new AssertionError("no java below runuser"));
        Set<Long> chain = new java.util.HashSet<>();
        for (ProcessHandle p = java; p != null; p = p.parent().orElse(null)) {
            chain.add(p.pid());
            if (p.pid() == runuser.pid()) {
                break;
            }
        }
        return chain;
    }

    // --- what must be inside ---------------------------------------------------------------------------------------

    private static void assertInside(String log, int uid, int gid) {
        List<String> id = probe(log, "probe-id");
        assertEquals(1, id.size(), log);
        assertTrue(id.get(0).startsWith("uid=" + uid + "(cnb) gid=" + gid + "(cnb)"), log);
        List<String> passwd = probe(log, "probe-passwd");
        assertTrue(passwd.stream().anyMatch(l -> l.startsWith("cnb:x:" + uid + ":" + gid + ":")), log);
        assertTrue(passwd.stream().anyMatch(l -> l.startsWith("root:x:0:0:")), log);
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String line : probe(log, "probe-mount")) {
            // mountinfo: id parent major:minor root mountpoint options ... - fstype source superoptions
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            mounts.put(f[4], f[dash + 1]);
        }
        Map<String, String> expected = Map.of(
                "/",
                "overlay",
                "/proc",
                "proc",
                // the builds run in the isolated network, whose own network namespace lets runc mount sysfs
                "/sys",
                "sysfs",
                "/dev",
                "tmpfs",
                "/dev/pts",
                "devpts",
                "/dev/shm",
                "tmpfs",
                "/dev/mqueue",
                "mqueue");
        expected.forEach((point, type) -> assertEquals(type, mounts.get(point), point + " in " + mounts));
        for (String point : List.of("/tmp", "/layers", "/workspace", "/platform", "/etc/passwd")) {
            assertTrue(mounts.containsKey(point), point + " is not mounted: " + mounts);
        }
        List<String> dev = probe(log, "probe-dev");
        for (String device : List.of("null", "zero", "full", "random", "urandom", "tty")) {
            assertTrue(
                    dev.stream().anyMatch(l -> l.startsWith("c") && l.endsWith(" " + device)),
                    "/dev/" + device + " is not a character device: " + dev);
        }
        assertEquals(List.of("16"), probe(log, "probe-urandom"), log);
    }

    /** The text after {@code <label>: } on the log lines that carry it. */
    private static List<String> probe(String log, String label) {
        String marker = label + ": ";
        return log.lines()
                .filter(l -> l.contains(marker))
                .map(l -> l.substring(l.indexOf(marker) + marker.length()))
                .toList();
    }

    // --- what must not be left on the host -------------------------------------------------------------------------

    private static void assertNothingOwnedByRoot(Path data, int uid, SubordinateIds sub) throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(data)) {
            files.forEach(p -> {
                try {
                    int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                    if (owner != uid && !sub.owns(owner)) {
                        wrong.add(owner + " " + p);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        assertEquals(List.of(), wrong.stream().limit(20).toList(), "files under the data dir not owned by the user");
    }

    /**
     * While locald runs it keeps {@code locald.network.warm-namespaces} (1) network namespace ready for the next
     * detector or builder (docs/operations.md): one pasta, its namespace mount and netns file under
     * {@code bundles/net-*}. Anything beyond that one is left over.
     */
    private void assertNoLeftovers(Path data, int uid, SubordinateIds sub) throws Exception {
        // a finished container's namespace is released on a background thread: give it a moment
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                checkNoLeftovers(data, uid, sub);
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    private void checkNoLeftovers(Path data, int uid, SubordinateIds sub) throws Exception {
        Set<Long> chain = localdChain(locald);
        List<String> processes = awaitNoProcesses(uid, sub, chain);
        assertEquals(List.of(), withoutWarm(processes, data), "processes of the user besides locald");
        assertTrue(processes.size() <= 1, "more than the one warm network namespace's pasta: " + processes);
        long java = javaOf(locald).orElseThrow().pid();
        assertEquals(List.of(), mountsUnder(Path.of("/proc/self/mountinfo"), data), "host mounts under the data dir");
        List<String> mounts = mountsUnder(Path.of("/proc/" + java + "/mountinfo"), data);
        assertEquals(List.of(), withoutWarm(mounts, data), "locald's mounts under the data dir");
        assertTrue(mounts.size() <= 1, "more than the warm network namespace is mounted: " + mounts);
        try (Stream<Path> files = Files.walk(data)) {
            List<String> netns = files.filter(p -> p.getFileName().toString().equals("netns"))
                    .map(Path::toString)
                    .toList();
            assertEquals(List.of(), withoutWarm(netns, data), "a netns file is left");
            assertTrue(netns.size() <= 1, "more than the warm network namespace's file: " + netns);
        }
    }

    /** Drops what names a network namespace under {@code <data>/bundles/net-*}: the warm one, counted apart. */
    private static List<String> withoutWarm(List<String> entries, Path data) {
        String warm = data.resolve("bundles").resolve("net-").toString();
        return entries.stream().filter(e -> !e.contains(warm)).toList();
    }

    /** Processes of the user or its subordinate ids outside {@code allowed}, once they have had 20 s to end. */
    private static List<String> awaitNoProcesses(int uid, SubordinateIds sub, Set<Long> allowed) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> left;
        do {
            left = processesOf(uid, sub).entrySet().stream()
                    .filter(e -> !allowed.contains(e.getKey()))
                    .map(e -> e.getKey() + " " + e.getValue())
                    .toList();
            if (left.isEmpty()) {
                return left;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return left;
    }

    private static void killProcessesOf(int uid, SubordinateIds sub, Set<Long> allowed) throws Exception {
        for (long pid : processesOf(uid, sub).keySet()) {
            if (!allowed.contains(pid)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        awaitNoProcesses(uid, sub, allowed);
    }

    /** pid → command line of every process whose real uid is the user's or one of its subordinate ids. */
    private static Map<Long, String> processesOf(int uid, SubordinateIds sub) throws IOException {
        Map<Long, String> found = new LinkedHashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path dir : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    String uidLine = Files.readAllLines(dir.resolve("status")).stream()
                            .filter(l -> l.startsWith("Uid:"))
                            .findFirst()
                            .orElse("Uid: -1");
                    long real = Long.parseLong(uidLine.substring(4).strip().split("\\s+")[0]);
                    if (real == uid || sub.owns(real)) {
                        String cmd = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
                                .replace('\0', ' ');
                        found.put(Long.parseLong(dir.getFileName().toString()), "uid " + real + ": " + cmd);
                    }
                } catch (IOException gone) {
                    // the process ended while being read
                }
            }
        }
        return found;
    }

    private static List<String> mountsUnder(Path mountinfo, Path data) throws IOException {
        try (Stream<String> lines = Files.lines(mountinfo)) {
            return lines.filter(l -> {
                        String point = l.split(" ")[4];
                        return point.equals(data.toString()) || point.startsWith(data + "/");
                    })
                    .collect(Collectors.toList());
        }
    }

    // --- the API ---------------------------------------------------------------------------------------------------

    private static Map<String, Object> build(
            TestRegistry registry, String name, String builder, boolean trusted, Map<String, String> env) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", registry.hostPort() + "/rootless/" + name + ":1");
        request.put("builder", builder);
        request.put("trustBuilder", trusted);
        request.put("network", "isolated");
        if (!env.isEmpty()) {
            request.put("env", env);
        }
        return request;
    }

    private String submit(URI base, Map<String, Object> request, byte[] source) throws Exception {
        HttpResponse<String> response = http.send(
                MultipartBuild.request(base, JSON.writeValueAsString(request), source),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("id").asText();
    }

    private HttpResponse<String> post(URI base, String path, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(URI base, String path) throws Exception {
        return JSON.readTree(
                http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    private String log(URI base, String id) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(base.resolve("/builds/" + id + "/logs"))
                                .header("Accept", "text/plain")
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no readiness check named " + name + ": " + health.toPrettyString());
    }

    private JsonNode awaitFinished(URI base, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode build = get(base, "/builds/" + id);
            if (build.path("finishedAt").isTextual()) {
                return build;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("build " + id + " did not finish: " + log(base, id));
    }

    private void awaitPhase(URI base, String id, String phase) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode build = get(base, "/builds/" + id);
            if (phase.equals(build.path("currentPhase").asText())) {
                return;
            }
            assertFalse(build.path("finishedAt").isTextual(), build.toPrettyString() + log(base, id));
            Thread.sleep(50);
        }
        throw new AssertionError("build " + id + " never reached the " + phase);
    }

    // --- processes -------------------------------------------------------------------------------------------------

    record Result(int exitCode, String output) {}

    private static Result exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        return new Result(p.exitValue(), out);
    }

    private static String run(String... command) throws Exception {
        Result r = exec(command);
        assertEquals(0, r.exitCode(), String.join(" ", command) + ":\n" + r.output());
        return r.output();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
