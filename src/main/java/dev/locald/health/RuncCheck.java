package dev.locald.health;

import dev.locald.config.LocaldConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the configured runc binary exists and {@code runc --version} runs; reports its version. */
@Readiness
@Singleton
public class RuncCheck implements HealthCheck {

    static final String NAME = "runc";
    private static final Pattern VERSION = Pattern.compile("runc version (\\S+)");

    private final Path binary;
    private final Duration timeout;

    @Inject
    public RuncCheck(LocaldConfig config) {
        this(config.runtime().runcBinary(), config.health().runcTimeout());
    }

    public RuncCheck(Path binary, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("binary", binary.toString());
        if (!Files.exists(binary)) {
            return response.down()
                    .withData(
                            "reason",
                            "runc not found at " + binary
                                    + ": install the runc package (apt-get install runc) or set locald.runtime.runc-binary")
                    .build();
        }
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            return response.down()
                    .withData(
                            "reason",
                            binary + " is not an executable file: "
                                    + "reinstall runc or point locald.runtime.runc-binary at the runc executable")
                    .build();
        }
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            // read on another thread: a hanging binary must not hang the probe with it
            CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> readOutput(process));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return response.down()
                        .withData(
                                "reason",
                                binary + " --version did not answer within " + timeout
                                        + ": the binary hangs; reinstall runc")
                        .build();
            }
            String output;
            try {
                output = read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                return response.down()
                        .withData(
                                "reason",
                                "cannot read the output of " + binary + " --version (" + e + "): reinstall runc")
                        .build();
            }
            if (process.exitValue() != 0) {
                return response.down()
                        .withData(
                                "reason",
                                binary + " --version failed with exit code " + process.exitValue() + " ("
                                        + firstLine(output) + "): reinstall runc")
                        .build();
            }
            Matcher version = VERSION.matcher(output);
            if (!version.find()) {
                return response.down()
                        .withData(
                                "reason",
                                binary + " does not look like runc (its --version printed '" + firstLine(output)
                                        + "'): point locald.runtime.runc-binary at runc")
                        .build();
            }
            return response.up().withData("version", version.group(1)).build();
        } catch (IOException e) {
            return response.down()
                    .withData(
                            "reason",
                            "cannot run " + binary + " (" + e.getMessage()
                                    + "): check that it is a runc binary for this machine")
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down()
                    .withData("reason", "interrupted while running " + binary + " --version")
                    .build();
        }
    }

    private static String readOutput(Process process) {
        try (var in = process.getInputStream()) {
            String text = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return text;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
