package dev.locald.store;

import dev.locald.config.DataLayout;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Extracted layers under {@code <data>/layers/sha256/<diffid-hex>/}, each usable as a read-only overlay
 * lower dir. A layer is written into {@code layers/tmp/<random>/} and renamed into place when complete,
 * so a crash leaves only temp dirs, which opening the store removes. Concurrent {@link #ensure} calls for
 * one diffId extract it once. Last use is recorded on a marker file in {@code layers/used/}, never on the
 * layer itself (its root is the root of the container's filesystem).
 */
public final class LayerStore {

    private static final Logger LOG = Logger.getLogger(LayerStore.class);

    private final Path layers;
    private final Path tmp;
    private final Path used;
    private final SingleFlight<Digest, Path> flights = new SingleFlight<>();

    /** The store in the default layout under {@code dataDir}. */
    public LayerStore(Path dataDir) throws IOException {
        this(DataLayout.under(dataDir));
    }

    public LayerStore(DataLayout layout) throws IOException {
        Path root = layout.layers();
        this.layers = root.resolve("sha256");
        this.tmp = root.resolve("tmp");
        this.used = root.resolve("used");
        Files.createDirectories(layers);
        Files.createDirectories(tmp);
        Files.createDirectories(used);
        int swept = sweepTemp();
        if (swept > 0) {
            LOG.infof("removed %d unfinished layer extraction(s) from %s", swept, tmp);
        }
    }

    /** Returns the layer's directory, running {@code writer} into a fresh temp dir first when it is missing. */
    public Path ensure(Digest diffId, LayerWriter writer) throws IOException {
        Optional<Path> present = find(diffId);
        if (present.isPresent()) {
            return present.get();
        }
        return flights.run(diffId, () -> {
            Optional<Path> arrived = find(diffId);
            return arrived.isPresent() ? arrived.get() : extract(diffId, writer);
        });
    }

    private Path extract(Digest diffId, LayerWriter writer) throws IOException {
        Path work = tmp.resolve(diffId.hex() + "-" + StoreFiles.randomSuffix());
        Files.createDirectory(work);
        boolean committed = false;
        try {
            writer.writeInto(work);
            if (!Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("layer " + diffId + ": the writer removed or replaced its target directory");
            }
            Path target = dirOf(diffId);
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            committed = true;
            StoreFiles.fsync(layers);
            markUsed(diffId);
            return target;
        } finally {
            if (!committed) {
                TreeDeleter.deleteTree(work);
            }
        }
    }

    /** The layer's directory if it has been extracted; marks it used. */
    public Optional<Path> find(Digest diffId) {
        Path dir = dirOf(diffId);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        markUsed(diffId);
        return Optional.of(dir);
    }

    /**
     * Removes the layer: it is first renamed into {@code tmp/} (atomic, so nobody finds half a layer), then
     * deleted without following links. Returns whether it was there.
     */
    public boolean delete(Digest diffId) throws IOException {
        Path dir = dirOf(diffId);
        Path doomed = tmp.resolve(diffId.hex() + "-deleting-" + StoreFiles.randomSuffix());
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException absent) {
            return false;
        }
        TreeDeleter.deleteTree(doomed);
        Files.deleteIfExists(used.resolve(diffId.hex()));
        return true;
    }

    /** Every extracted layer and its last use. */
    public List<StoredLayer> listAll() throws IOException {
        List<StoredLayer> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layers)) {
            for (Path entry : entries) {
                Digest diffId;
                try {
                    diffId = new Digest(entry.getFileName().toString());
                } catch (IllegalArgumentException notALayer) {
                    continue;
                }
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                out.add(new StoredLayer(diffId, entry, lastUsed(diffId, entry)));
            }
        }
        return out;
    }

    /** Bytes of regular files in the layer (hardlinked files counted once per name). */
    public long sizeOf(Digest diffId) throws IOException {
        Path dir = dirOf(diffId);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(dir, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total.addAndGet(attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    public Path dirOf(Digest diffId) {
        return layers.resolve(diffId.hex());
    }

    /** Removes every temp dir; only safe when no extraction is running (startup). Returns how many. */
    public int sweepTemp() throws IOException {
        return StoreFiles.sweepAll(tmp);
    }

    /**
     * Deletes temp dirs (unfinished extractions, half-deleted layers) last modified before {@code cutoff}.
     * Safe while extractions run as long as the cutoff is older than any live extraction's start.
     */
    public int sweepTempOlderThan(Instant cutoff) throws IOException {
        return StoreFiles.sweepOlderThan(tmp, cutoff);
    }

    /** Number of unfinished extractions currently in {@code layers/tmp}. */
    public long tempDirCount() throws IOException {
        try (var entries = Files.list(tmp)) {
            return entries.count();
        }
    }

    private Instant lastUsed(Digest diffId, Path dir) throws IOException {
        Path marker = used.resolve(diffId.hex());
        if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            return Files.getLastModifiedTime(marker, LinkOption.NOFOLLOW_LINKS).toInstant();
        }
        return Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    private void markUsed(Digest diffId) {
        Path marker = used.resolve(diffId.hex());
        try {
            if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
                Files.newOutputStream(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)
                        .close();
            }
            Files.setLastModifiedTime(marker, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // last-use time only steers cleanup order; a failure here must not fail a build
            LOG.debugf("could not mark layer %s as used: %s", diffId, e.getMessage());
        }
    }
}
