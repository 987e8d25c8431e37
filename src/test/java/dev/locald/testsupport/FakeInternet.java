package dev.locald.testsupport;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A "fake internet" for network tests: a network namespace joined to the host by a veth pair
 * (10.203.N.1 on the host, 10.203.N.2 inside), with an HTTP server and a dnsmasq answering
 * {@value #DOMAIN} with the inside address; plus the things an isolated build must NOT reach: an HTTP
 * canary on the host's 127.0.0.1, an HTTP server on a link-local address (169.254.N.1 on the host end of the veth),
 * and a dnsmasq on a host loopback address (a local stub resolver). Needs root, iproute2, python3 and
 * dnsmasq; {@link #close} removes all of it.
 */
public final class FakeInternet implements AutoCloseable {

    public static final String DOMAIN = "files.fake.test";
    public static final String FILE_CONTENT = "hello from the fake internet\n";

    private final String suffix;
    private final int net;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private int canaryPort;

    private FakeInternet(String suffix, int net, Path dir) {
        this.suffix = suffix;
        this.net = net;
        this.dir = dir;
    }

    public static FakeInternet start() throws IOException, InterruptedException {
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        int net = ThreadLocalRandom.current().nextInt(1, 250);
        FakeInternet internet = new FakeInternet(suffix, net, Files.createTempDirectory("locald-fake-internet-"));
        try {
            internet.setUp();
        } catch (IOException | InterruptedException | RuntimeException e) {
            internet.close();
            throw e;
        }
        return internet;
    }

    public String namespace() {
        return "ldfi-" + suffix;
    }

    public String veth() {
        return "ldfi" + suffix;
    }

    /** The server's address inside the fake internet. */
    public String serverAddress() {
        return "10.203." + net + ".2";
    }

    /** The HTTP server on a link-local address of this host. */
    public String linkLocalAddress() {
        return "169.254." + net + ".1";
    }

    /** The stub resolver on the host's loopback (answers {@link #DOMAIN} too). */
    public String loopbackResolver() {
        return "127.0." + net + ".53";
    }

    /** An HTTP server on every host address (127.0.0.1 included) that isolated builds must not reach. */
    public int canaryPort() {
        return canaryPort;
    }

    public Path fileDir() {
        return dir.resolve("www");
    }

    private void setUp() throws IOException, InterruptedException {
        Files.createDirectories(fileDir());
        Files.writeString(fileDir().resolve("hello.txt"), FILE_CONTENT);
        String ns = namespace();
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", veth(), "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "addr", "add", "10.203." + net + ".1/24", "dev", veth());
        run("ip", "link", "set", veth(), "up");
        run("ip", "-n", ns, "addr", "add", serverAddress() + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", ns, "route", "add", "default", "via", "10.203." + net + ".1");
        start(
                "ip",
                "netns",
                "exec",
                ns,
                "python3",
                "-m",
                "http.server",
                "80",
                "--bind",
                serverAddress(),
                "--directory",
                fileDir().toString());
        start(dnsmasq(serverAddress(), "ip", "netns", "exec", ns));
        start(dnsmasq(loopbackResolver()));
        // no dummy interface module on every kernel: the host end of the veth carries it
        run("ip", "addr", "add", linkLocalAddress() + "/32", "dev", veth());
        start(
                "python3",
                "-m",
                "http.server",
                "8080",
                "--bind",
                linkLocalAddress(),
                "--directory",
                fileDir().toString());
        canaryPort = freePort();
        start(
                "python3",
                "-m",
                "http.server",
                Integer.toString(canaryPort),
                "--bind",
                "0.0.0.0",
                "--directory",
                fileDir().toString());
        awaitHttp("http://127.0.0.1:" + canaryPort + "/hello.txt");
        awaitHttp("http://" + linkLocalAddress() + ":8080/hello.txt");
        awaitHttp("http://" + serverAddress() + "/hello.txt");
    }

    private String[] dnsmasq(String address, String... prefix) {
        List<String> command = new ArrayList<>(List.of(prefix));
        command.addAll(List.of(
                "dnsmasq",
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--user=root",
                "--pid-file=",
                "--bind-interfaces",
                "--listen-address=" + address,
                "--address=/" + DOMAIN + "/" + serverAddress()));
        return command.toArray(String[]::new);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void awaitHttp(String url) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            try {
                HttpURLConnection c =
                        (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("the fake internet's " + url + " did not come up", e);
                }
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IOException("a fake-internet server ended: "
                            + p.info().commandLine().orElse("?") + ": "
                            + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            Thread.sleep(50);
        }
    }

    private void start(String... command) throws IOException {
        processes.add(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        dir.resolve("server-" + processes.size() + ".log").toFile())
                .start());
    }

    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void quietly(String... command) throws InterruptedException {
        try {
            run(command);
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        quietly("ip", "link", "del", veth());
        quietly("ip", "netns", "del", namespace());
        dev.locald.fs.TreeDeleter.deleteTree(dir);
    }

    /** Live pasta processes whose command line names a path under {@code dir} (for leak checks). */
    public static List<String> pastaProcesses(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.contains("pasta") || c.contains("passt"))
                        .orElse(false))
                .filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + String.join(" ", p.info().arguments().orElse(new String[0])))
                .filter(line -> line.contains(dir.toString()))
                .toList();
    }

    /** A shell script printing {@code <label>:reached} or {@code <label>:refused} (with wget's reason) for a URL. */
    public static String probe(String label, String url) {
        // busybox wget -T segfaults (docs: machine facts); timeout bounds it instead
        return "if timeout 10 wget -q -O - " + url + "; then echo; echo " + label + ":reached; else echo " + label
                + ":refused; fi\n";
    }

    /** Whether any veth of a fake internet is still there (for leak checks). */
    public static List<String> leftovers() throws IOException, InterruptedException {
        List<String> left = new ArrayList<>();
        for (String line : run("ip", "-o", "link").split("\n")) {
            if (line.contains("ldfi")) {
                left.add(line.trim());
            }
        }
        return left;
    }
}
