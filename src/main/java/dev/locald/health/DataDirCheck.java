package dev.locald.health;

import dev.locald.config.LocaldConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when a file can be written to, synced in and deleted from the data directory, and its filesystem
 * has at least {@code locald.health.min-free-bytes} free.
 */
@Readiness
@Singleton
public class DataDirCheck implements HealthCheck {

    static final String NAME = "data-dir";

    private final Path dataDir;
    private final long minFreeBytes;

    @Inject
    public DataDirCheck(LocaldConfig config) {
        this(config.dataRoot(), config.health().minFreeBytes());
    }

    public DataDirCheck(Path dataDir, long minFreeBytes) {
        this.dataDir = dataDir.toAbsolutePath();
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("path", dataDir.toString())
                .withData("minFreeBytes", minFreeBytes);
        if (!Files.isDirectory(dataDir)) {
            return response.down()
                    .withData(
                            "reason",
                            "the data directory " + dataDir + " does not exist: "
                                    + "create it or mount the volume there (locald.data-dir)")
                    .build();
        }
        Path probe = dataDir.resolve(".health-probe-" + UUID.randomUUID());
        try {
            try (var channel = java.nio.channels.FileChannel.open(
                    probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {'o', 'k'}));
                channel.force(true);
            }
            Files.delete(probe);
        } catch (IOException e) {
            deleteQuietly(probe);
            return response.down()
                    .withData(
                            "reason",
                            "cannot write to the data directory " + dataDir + " (" + describe(e)
                                    + "): mount it read-write and make it writable by the user locald runs as")
                    .build();
        }
        long free;
        try {
            FileStore store = Files.getFileStore(dataDir);
            free = store.getUsableSpace();
        } catch (IOException e) {
            return response.down()
                    .withData("reason", "cannot read the free space of " + dataDir + " (" + describe(e) + ")")
                    .build();
        }
        response.withData("freeBytes", free);
        if (free < minFreeBytes) {
            return response.down()
                    .withData(
                            "reason",
                            "only " + free + " bytes are free on the filesystem of "
                                    + dataDir + ", below locald.health.min-free-bytes=" + minFreeBytes
                                    + ": grow the volume, delete finished builds, or shorten locald.janitor.image-retention / "
                                    + "lower locald.janitor.store-budget-bytes")
                    .build();
        }
        return response.up().build();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void deleteQuietly(Path probe) {
        try {
            Files.deleteIfExists(probe);
        } catch (IOException ignored) {
            // the directory is not writable: the probe was never created
        }
    }
}
