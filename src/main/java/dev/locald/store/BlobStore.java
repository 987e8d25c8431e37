package dev.locald.store;

import dev.locald.config.DataLayout;
import dev.locald.image.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Content-addressed store of compressed blobs under {@code <data>/blobs/sha256/<hex>}. A blob is written to
 * {@code blobs/tmp/} on the same filesystem, checked against its digest and size, synced, made read-only
 * and renamed into place, so a reader sees a whole verified blob or none. Concurrent {@link #ensure} calls
 * for one digest fetch it once. The file's modification time records its last use (for LRU cleanup).
 */
public final class BlobStore {

    private static final Logger LOG = Logger.getLogger(BlobStore.class);

    private final Path blobs;
    private final Path tmp;
    private final SingleFlight<Digest, Path> flights = new SingleFlight<>();
    private final AtomicLong bytesFetched = new AtomicLong();

    /** The store in the default layout under {@code dataDir}. */
    public BlobStore(Path dataDir) throws IOException {
        this(DataLayout.under(dataDir));
    }

    /** Opens (creating if needed) the store at {@code layout.blobs()} and removes temp files a crash left behind. */
    public BlobStore(DataLayout layout) throws IOException {
        Path root = layout.blobs();
        this.blobs = root.resolve("sha256");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        int swept = sweepTemp();
        if (swept > 0) {
            LOG.infof("removed %d unfinished blob download(s) from %s", swept, tmp);
        }
    }

    /**
     * Returns the path of the blob, fetching it from {@code source} first when it is not stored yet.
     *
     * @throws BlobVerificationException when the fetched bytes do not match {@code digest} and {@code size}
     */
    public Path ensure(Digest digest, long size, BlobSource source) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("blob " + digest + " has a negative size " + size);
        }
        Optional<Path> present = findChecked(digest, size);
        if (present.isPresent()) {
            return present.get();
        }
        return flights.run(digest, () -> {
            Optional<Path> arrived = findChecked(digest, size);
            return arrived.isPresent() ? arrived.get() : fetch(digest, size, source);
        });
    }

    private Path fetch(Digest digest, long size, BlobSource source) throws IOException {
        Path temp = tmp.resolve(digest.hex() + "-" + StoreFiles.randomSuffix());
        TempSink sink = new TempSink(temp, digest, size);
        try {
            source.writeTo(sink);
            sink.finish();
            StoreFiles.fsync(temp);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--r--r--"));
            Path target = pathOf(digest);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            StoreFiles.fsync(blobs);
            bytesFetched.addAndGet(size);
            return target;
        } finally {
            sink.closeQuietly();
            Files.deleteIfExists(temp);
        }
    }

    /** The stored blob, if present; marks it used. */
    public Optional<Path> find(Digest digest) throws IOException {
        Path path = pathOf(digest);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        touch(path);
        return Optional.of(path);
    }

    private Optional<Path> findChecked(Digest digest, long size) throws IOException {
        Optional<Path> found = find(digest);
        if (found.isPresent()) {
            long actual = Files.size(found.get());
            if (actual != size) {
                throw new BlobVerificationException(
                        digest,
                        "blob " + digest + " is stored with " + actual + " bytes but was asked for with size " + size);
            }
        }
        return found;
    }

    /** Removes the blob; returns whether it was there. */
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(pathOf(digest));
    }

    /** Bytes held by all stored blobs. */
    public long totalBytes() throws IOException {
        long total = 0;
        for (StoredBlob blob : listAll()) {
            total += blob.size();
        }
        return total;
    }

    /** Every stored blob with its size and last use. Files whose name is not a digest are skipped. */
    public List<StoredBlob> listAll() throws IOException {
        List<StoredBlob> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobs)) {
            for (Path entry : entries) {
                Digest digest;
                try {
                    digest = new Digest(entry.getFileName().toString());
                } catch (IllegalArgumentException notABlob) {
                    continue;
                }
                try {
                    BasicFileAttributes attrs =
                            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile()) {
                        out.add(new StoredBlob(
                                digest, attrs.size(), attrs.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException deletedMeanwhile) {
                    // removed by a concurrent delete between listing and stat: not stored any more
                }
            }
        }
        return out;
    }

    /** Where the blob lives (or would live). */
    public Path pathOf(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    /** Deletes every temp file; only safe when no download is running (startup). Returns how many. */
    public int sweepTemp() throws IOException {
        return StoreFiles.sweepAll(tmp);
    }

    /** Bytes of blobs fetched and committed since this store was opened (for the bytes-pulled metric). */
    public long bytesFetched() {
        return bytesFetched.get();
    }

    /**
     * Deletes temp files last written before {@code cutoff}: downloads that died without cleaning up.
     * Safe while downloads run as long as the cutoff is older than any live download's last write.
     */
    public int sweepTempOlderThan(Instant cutoff) throws IOException {
        return StoreFiles.sweepOlderThan(tmp, cutoff);
    }

    /** Number of unfinished downloads currently in {@code blobs/tmp}. */
    public long tempFileCount() throws IOException {
        try (var entries = Files.list(tmp)) {
            return entries.count();
        }
    }

    private static void touch(Path path) {
        try {
            Files.setLastModifiedTime(path, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // last-use time only steers cleanup order; a failure here must not fail a pull
            LOG.debugf("could not mark %s as used: %s", path, e.getMessage());
        }
    }

    /** The temp file of one download; each {@link #open()} truncates it and restarts verification. */
    private static final class TempSink implements BlobSink {
        private final Path temp;
        private final Digest digest;
        private final long size;
        private VerifyingOutputStream current;
        private OutputStream file;

        TempSink(Path temp, Digest digest, long size) {
            this.temp = temp;
            this.digest = digest;
            this.size = size;
        }

        @Override
        public OutputStream open() throws IOException {
            closeQuietly();
            try {
                file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException again) {
                file = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            }
            current = new VerifyingOutputStream(new BufferedOutputStream(file, 1 << 16), digest, size);
            return current;
        }

        void finish() throws IOException {
            if (current == null) {
                open();
            }
            current.close();
            current.verify();
            if (Files.size(temp) != size) {
                throw new BlobVerificationException(
                        digest,
                        "blob " + digest + " was written with " + Files.size(temp) + " bytes instead of " + size);
            }
        }

        void closeQuietly() {
            if (current != null) {
                try {
                    current.close();
                } catch (IOException ignored) {
                    // the attempt is being abandoned; its bytes are discarded with the temp file
                }
            }
        }
    }
}
