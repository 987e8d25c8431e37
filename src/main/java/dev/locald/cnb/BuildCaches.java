package dev.locald.cnb;

import dev.locald.config.DataLayout;
import dev.locald.fs.NoFollow;
import dev.locald.fs.OwnedFiles;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One persistent lifecycle cache directory per target repository, {@code <dataDir>/cache/<sha256 of the
 * normalised repository>}, handed to one build at a time: the lifecycle wipes {@code staging/} whenever a
 * phase opens the cache, so two builds sharing it would corrupt each other (contract §6.4). Exclusion is a
 * semaphore within this process plus an OS file lock against another locald on the same data dir; a second
 * build waits up to a bound, then fails.
 */
public final class BuildCaches {

    private static final Duration POLL = Duration.ofMillis(50);

    private final Path root;
    private final ConcurrentMap<String, Semaphore> inProcess = new ConcurrentHashMap<>();

    /** @param dataDir locald's data dir; caches live under {@code cache/}, created 0700 on first use */
    public BuildCaches(Path dataDir) {
        this(DataLayout.under(dataDir));
    }

    public BuildCaches(DataLayout layout) {
        this.root = layout.cache();
    }

    /** The directory name of a repository's cache: hex sha256 of e.g. {@code index.docker.io/library/app}. */
    public static String key(ImageReference image) {
        String repo = image.repositoryKey();
        return dev.locald.image.Digest.ofBytes(repo.getBytes(StandardCharsets.UTF_8))
                .hex();
    }

    /**
     * Takes the cache of {@code image}'s repository for one build.
     *
     * @param clear   empty it first (the request's {@code clearCache})
     * @param owner   the CNB user; a cache last used by another uid:gid is emptied and handed over, since
     *                the phases could not write it otherwise
     * @param maxWait how long to wait for another build using the same cache
     * @throws CacheBusyException when the cache stayed in use for {@code maxWait}
     */
    public CacheLease acquire(ImageReference image, boolean clear, CnbUser owner, Duration maxWait)
            throws IOException, CacheBusyException, InterruptedException {
        String repository = image.repositoryKey();
        String key = key(image);
        long deadline = System.nanoTime() + maxWait.toNanos();
        Semaphore semaphore = inProcess.computeIfAbsent(key, k -> new Semaphore(1, true));
        if (!semaphore.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw busy(repository, maxWait);
        }
        FileChannel channel = null;
        try {
            ensureRoot();
            channel = FileChannel.open(
                    root.resolve(key + ".lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            while ((lock = channel.tryLock()) == null) {
                if (System.nanoTime() >= deadline) {
                    throw busy(repository, maxWait);
                }
                Thread.sleep(POLL.toMillis());
            }
            Path dir = root.resolve(key);
            boolean cleared = prepare(dir, clear, owner);
            return new CacheLease(dir, repository, cleared, lock, channel, semaphore);
        } catch (IOException | CacheBusyException | InterruptedException | RuntimeException e) {
            if (channel != null) {
                channel.close(); // releases the file lock too
            }
            semaphore.release();
            throw e;
        }
    }

    private void ensureRoot() throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(root);
            OwnedFiles.chmod(root, "rwx------");
        }
        OwnedFiles.requireRealDirectory(root, "cache root");
    }

    /** @return whether the cache is empty because it was cleared or newly made */
    private static boolean prepare(Path dir, boolean clear, CnbUser owner) throws IOException {
        BasicFileAttributes attrs = NoFollow.lstat(dir);
        if (attrs == null) {
            Files.createDirectory(dir);
            OwnedFiles.chmod(dir, "rwxr-x---");
            OwnedFiles.chown(dir, owner.uid(), owner.gid());
            return true;
        }
        if (!attrs.isDirectory()) {
            throw new IOException("cache " + dir + " is not a directory (symlinks are not followed); remove it");
        }
        int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        boolean otherOwner = uid != owner.uid() || gid != owner.gid();
        if (clear || otherOwner) {
            TreeDeleter.deleteContents(dir);
            OwnedFiles.chown(dir, owner.uid(), owner.gid());
            return true;
        }
        return false;
    }

    private static CacheBusyException busy(String repository, Duration waited) {
        return new CacheBusyException("the build cache of " + repository + " is in use by another build; gave up after "
                + waited.toSeconds() + " s");
    }

    /** The cache stayed locked by another build for the whole wait. */
    public static class CacheBusyException extends Exception {
        public CacheBusyException(String message) {
            super(message);
        }
    }

    /** Exclusive use of one cache dir; {@link #close()} hands it to the next build. */
    public static final class CacheLease implements AutoCloseable {
        private final Path dir;
        private final String repository;
        private final boolean cleared;
        private final FileLock lock;
        private final FileChannel channel;
        private final Semaphore semaphore;
        private boolean closed;

        private CacheLease(
                Path dir, String repository, boolean cleared, FileLock lock, FileChannel channel, Semaphore semaphore) {
            this.dir = dir;
            this.repository = repository;
            this.cleared = cleared;
            this.lock = lock;
            this.channel = channel;
            this.semaphore = semaphore;
        }

        /** The host directory to mount at {@code /cache}. */
        public Path dir() {
            return dir;
        }

        /** The normalised repository this cache belongs to. */
        public String repository() {
            return repository;
        }

        /** True when the cache starts empty (new, cleared on request, or taken over from another uid). */
        public boolean cleared() {
            return cleared;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                lock.release();
                channel.close();
            } finally {
                semaphore.release();
            }
        }
    }
}
