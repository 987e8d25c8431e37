package dev.locald.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real CNB lifecycle, Paketo buildpacks and pack-made builders, published into a test registry by
 * {@code scripts/real-cnb/publish.sh} (which builds them from Go modules into a cache reused across runs;
 * see scripts/real-cnb/README.md). Without Go the tests that need them skip with a message saying what
 * to install, except under CI ({@code CI=true}), where they must run and so fail instead.
 */
public final class RealCnb {

    public static final String LIFECYCLE_VERSION = "0.21.17";
    private static final Path PUBLISH = Path.of("scripts/real-cnb/publish.sh").toAbsolutePath();
    private static final Path TOOLS = Path.of("scripts/real-cnb/tools.sh").toAbsolutePath();

    /** The published images by name (for example {@code builder:1000}) as {@code host:port/repo:tag@sha256:…}. */
    public record Images(Map<String, String> byName) {
        public String get(String name) {
            String ref = byName.get(name);
            if (ref == null) {
                throw new IllegalStateException("publish.sh printed no image named " + name + ": " + byName);
            }
            return ref;
        }

        /** The tag form ({@code host:port/repo:tag}) of an image, without its digest. */
        public String tag(String name) {
            String ref = get(name);
            return ref.substring(0, ref.indexOf('@'));
        }
    }

    private RealCnb() {}

    /** Skips (outside CI) when Go is missing; under CI a missing Go is a failure of the set-up. */
    public static void assumeAvailable() {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean go = goAvailable();
        if (!go && ci) {
            throw new IllegalStateException("CI=true but `go` is not on PATH: the real-lifecycle tests must run in CI;"
                    + " install Go 1.26 (the README's test command does)");
        }
        assumeTrue(
                go,
                "the real-lifecycle tests need Go 1.26 on PATH to build the lifecycle, Paketo buildpacks"
                        + " and pack from Go modules: install golang (1.26 or newer) and run again");
    }

    /** Builds (or reuses) the tooling and publishes the real images into {@code registry}. */
    public static Images publish(TestRegistry registry) {
        assumeAvailable();
        try {
            Path log = Files.createTempFile("real-cnb-publish-", ".log");
            Process process = new ProcessBuilder("bash", PUBLISH.toString(), registry.hostPort())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(40, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("publish.sh did not finish in 40 minutes; log: " + log);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("publish.sh failed (exit " + process.exitValue() + "):\n" + output);
            }
            Map<String, String> images = new LinkedHashMap<>();
            for (String line : output.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.contains("@sha256:") && !line.contains(" ")) {
                    images.put(line.substring(0, eq), line.substring(eq + 1).strip());
                }
            }
            Files.delete(log);
            return new Images(Map.copyOf(images));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Builds (or reuses) the real lifecycle with {@code tools.sh} and returns its directory: {@code lifecycle/} (the
     * multi-call binary, the launcher and the phase symlinks) and {@code lifecycle.toml}.
     */
    public static Path lifecycleDir() {
        assumeAvailable();
        try {
            Path log = Files.createTempFile("real-cnb-tools-", ".log");
            Process process = new ProcessBuilder("bash", TOOLS.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(40, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("tools.sh did not finish in 40 minutes; log: " + log);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("tools.sh failed (exit " + process.exitValue() + "):\n" + output);
            }
            String cache = System.getenv()
                    .getOrDefault("LOCALD_CNB_CACHE", System.getProperty("user.home") + "/.cache/locald/cnb");
            Path env = Path.of(cache, "tools.env");
            Path lifecycle = Files.readAllLines(env, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("LIFECYCLE_DIR="))
                    .map(l -> Path.of(l.substring("LIFECYCLE_DIR=".length()).strip()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(env + " names no LIFECYCLE_DIR"));
            if (!Files.isExecutable(lifecycle.resolve("lifecycle/lifecycle"))
                    || !Files.isRegularFile(lifecycle.resolve("lifecycle.toml"))) {
                throw new IllegalStateException(
                        "LIFECYCLE_DIR " + lifecycle + " has no lifecycle/lifecycle or lifecycle.toml:\n" + output);
            }
            Files.delete(log);
            return lifecycle;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A tool {@code tools.sh} built ({@code PACK} or {@code CRANE}, as {@code tools.env} names them), after
     * {@link #lifecycleDir()} has run it.
     */
    public static Path tool(String key) {
        lifecycleDir();
        String cache = System.getenv()
                .getOrDefault("LOCALD_CNB_CACHE", System.getProperty("user.home") + "/.cache/locald/cnb");
        Path env = Path.of(cache, "tools.env");
        try {
            return Files.readAllLines(env, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith(key + "="))
                    .map(l -> Path.of(l.substring(key.length() + 1).strip()))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(env + " names no executable " + key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean goAvailable() {
        try {
            Process process = new ProcessBuilder("go", "version")
                    .redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
