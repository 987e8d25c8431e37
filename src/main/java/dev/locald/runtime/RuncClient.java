package dev.locald.runtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.json.Json;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The runc command line, always with locald's own {@code --root} so that locald never sees or touches
 * containers it did not create.
 */
public final class RuncClient {

    private static final ObjectMapper JSON = Json.PLAIN;
    private static final int MAX_COMMAND_OUTPUT = 16 * 1024 * 1024;

    private final Path binary;
    private final Path stateRoot;
    private final Duration commandTimeout;
    private final boolean rootless;

    /**
     * @param rootless run every command with {@code --rootless true}: inside a user namespace on a host
     *        without cgroup delegation runc must not insist on creating cgroups ({@link RunMode})
     */
    public RuncClient(Path binary, Path stateRoot, Duration commandTimeout, boolean rootless) {
        this.binary = binary;
        this.stateRoot = stateRoot.toAbsolutePath();
        this.commandTimeout = commandTimeout;
        this.rootless = rootless;
    }

    private List<String> base() {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--root", stateRoot.toString()));
        if (rootless) {
            command.addAll(List.of("--rootless", "true"));
        }
        return command;
    }

    public Path stateRoot() {
        return stateRoot;
    }

    /**
     * Starts {@code runc run} for the bundle, stdin from {@code /dev/null}; the returned process's stdout
     * and stderr are the container's. runc's own messages go to the bundle's runc log.
     */
    public Process startRun(Bundle bundle, String id) throws IOException {
        Files.createDirectories(stateRoot);
        List<String> command = base();
        command.addAll(List.of(
                "--log",
                bundle.runcLog().toString(),
                "--log-format",
                "json",
                "run",
                // state and cgroups outlive the process, so ContainerRunner can read why it ended
                // (pids.events) before it deletes the container
                "--keep",
                "--bundle",
                bundle.dir().toString(),
                id));
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    /** Sends {@code signal} (e.g. {@code KILL}) to the container's init process. */
    public void kill(String id, String signal) throws IOException, InterruptedException {
        execute(List.of("kill", id, signal));
    }

    /** Kills whatever is left of the container and removes its state and cgroups. */
    public void deleteForce(String id) throws IOException, InterruptedException {
        execute(List.of("delete", "--force", id));
    }

    public List<RuncContainer> list() throws IOException, InterruptedException {
        if (!Files.isDirectory(stateRoot)) {
            return List.of();
        }
        String out = execute(List.of("list", "--format", "json"));
        // runc prints "null" when there is no container
        List<RuncContainer> containers = JSON.readValue(out, new TypeReference<List<RuncContainer>>() {});
        return containers == null ? List.of() : containers;
    }

    public Optional<RuncContainer> state(String id) throws IOException, InterruptedException {
        if (!hasState(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(execute(List.of("state", id)), RuncContainer.class));
        } catch (RuncException e) {
            // its directory appears before its state file, and goes after: both read as "does not exist"
            if (e.getMessage().contains("container does not exist")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Whether runc still keeps state for {@code id} (its directory under the state root), without a fork. */
    public boolean hasState(String id) {
        return Files.exists(stateRoot.resolve(id));
    }

    private String execute(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = base();
        command.addAll(arguments);
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readCapped(process.getErrorStream()));
        byte[] stdout = readCapped(process.getInputStream());
        if (!process.waitFor(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new RuncException("runc " + String.join(" ", arguments) + " did not finish within " + commandTimeout);
        }
        String errors = new String(stderr.join(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new RuncException(
                    "runc " + String.join(" ", arguments) + " failed (exit " + process.exitValue() + "): " + errors);
        }
        return new String(stdout, StandardCharsets.UTF_8);
    }

    private static byte[] readCapped(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_COMMAND_OUTPUT);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
