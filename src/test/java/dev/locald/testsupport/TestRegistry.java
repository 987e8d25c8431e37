package dev.locald.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mindrot.jbcrypt.BCrypt;

/**
 * A real CNCF distribution registry ({@code docker-registry} from Debian) started by hand on a free
 * loopback port with its storage in a temporary directory, never the packaged config (which listens on
 * every interface and demands auth). Optionally protected by htpasswd basic auth.
 */
public final class TestRegistry implements AutoCloseable {

    public static final String BINARY = "/usr/bin/docker-registry";

    private final Path dir;
    private final Process process;
    private final int port;
    private final String username;
    private final String password;

    private TestRegistry(Path dir, Process process, int port, String username, String password) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.username = username;
        this.password = password;
    }

    /** Starts an open registry. */
    public static TestRegistry start() {
        return start(null, null);
    }

    /** Starts a registry that demands basic auth with the given user and password. */
    public static TestRegistry startWithAuth(String username, String password) {
        return start(username, password);
    }

    private static TestRegistry start(String username, String password) {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: install the Debian package docker-registry"
                    + " (the README's test command does)");
        }
        try {
            Path dir = Files.createTempDirectory("locald-registry-");
            int port = freePort();
            StringBuilder config = new StringBuilder()
                    .append("version: 0.1\n")
                    .append("log:\n  level: error\n  accesslog:\n    disabled: true\n")
                    .append("storage:\n  filesystem:\n    rootdirectory: ")
                    .append(dir.resolve("data"))
                    .append('\n')
                    .append("  delete:\n    enabled: true\n")
                    .append("http:\n  addr: 127.0.0.1:")
                    .append(port)
                    .append("\n  secret: locald-test\n");
            if (username != null) {
                Path htpasswd = dir.resolve("htpasswd");
                // cost 4 keeps every authenticated request fast; production strength is not the point here
                Files.writeString(htpasswd, username + ":" + BCrypt.hashpw(password, BCrypt.gensalt(4)) + "\n");
                config.append("auth:\n  htpasswd:\n    realm: locald-test\n    path: ")
                        .append(htpasswd)
                        .append('\n');
            }
            Path configFile = dir.resolve("config.yml");
            Files.writeString(configFile, config);
            Process process = new ProcessBuilder(BINARY, "serve", configFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("registry.log").toFile())
                    .start();
            TestRegistry registry = new TestRegistry(dir, process, port, username, password);
            registry.awaitReady(Duration.ofSeconds(20));
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test registry", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("registry.log")));
            }
            try {
                HttpURLConnection connection =
                        (HttpURLConnection) URI.create(url() + "/v2/").toURL().openConnection();
                connection.setConnectTimeout(200);
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // the registry has not bound its port yet
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the registry", e);
            }
        }
        close();
        throw new IllegalStateException("docker-registry did not answer within " + timeout);
    }

    /** host:port, as used in image references. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + hostPort();
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The value of an Authorization header for this registry, or null when it is open. */
    public String authorization() {
        if (username == null) {
            return null;
        }
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A pusher that builds and publishes images into this registry. */
    public ImagePusher pusher() {
        return new ImagePusher(url(), authorization());
    }

    /** Directory holding the registry's storage; tests may corrupt blobs here on purpose. */
    public Path storageDir() {
        return dir.resolve("data");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir, e);
        }
    }
}
