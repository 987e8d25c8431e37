package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildCachesTest {

    private static ImageReference ref(String reference) {
        return ImageReference.parse(reference);
    }

    static final CnbUser USER = new CnbUser(4242, 4343);

    @TempDir
    Path data;

    @Test
    void oneDirPerNormalisedRepository() throws Exception {
        assertEquals(BuildCaches.key(ref("busybox")), BuildCaches.key(ref("docker.io/library/busybox:1.36")));
        assertEquals(
                BuildCaches.key(ref("localhost:5000/app:v1")),
                BuildCaches.key(ref("localhost:5000/app@sha256:" + "a".repeat(64))));
        assertNotEquals(BuildCaches.key(ref("localhost:5000/app")), BuildCaches.key(ref("localhost:5001/app")));
        assertTrue(BuildCaches.key(ref("x/y")).matches("[0-9a-f]{64}"));

        BuildCaches caches = new BuildCaches(data);
        try (BuildCaches.CacheLease lease =
                caches.acquire(ref("localhost:5000/team/app:v1"), false, USER, Duration.ofSeconds(1))) {
            assertEquals(data.resolve("cache").resolve(BuildCaches.key(ref("localhost:5000/team/app"))), lease.dir());
            assertEquals("localhost:5000/team/app", lease.repository());
            assertTrue(lease.cleared(), "new caches start empty");
            assertEquals(4242, Files.getAttribute(lease.dir(), "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(
                    "rwx------",
                    java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(data.resolve("cache"))));
            Files.writeString(lease.dir().resolve("committed.tar"), "layer");
        }
        try (BuildCaches.CacheLease lease =
                caches.acquire(ref("localhost:5000/team/app:v2"), false, USER, Duration.ofSeconds(1))) {
            assertFalse(lease.cleared());
            assertEquals("layer", Files.readString(lease.dir().resolve("committed.tar")), "kept across builds");
        }
    }

    @Test
    void clearCacheEmptiesWithoutFollowingLinks() throws Exception {
        BuildCaches caches = new BuildCaches(data);
        Path outside = Files.createDirectory(data.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "keep");
        try (BuildCaches.CacheLease lease = caches.acquire(ref("r.example/app"), false, USER, Duration.ofSeconds(1))) {
            Files.createDirectories(lease.dir().resolve("committed/sub"));
            Files.writeString(lease.dir().resolve("committed/sub/x.tar"), "x");
            Files.createSymbolicLink(lease.dir().resolve("committed/link"), outside);
            Files.createSymbolicLink(lease.dir().resolve("link-file"), outside.resolve("keep"));
        }
        try (BuildCaches.CacheLease lease = caches.acquire(ref("r.example/app"), true, USER, Duration.ofSeconds(1))) {
            assertTrue(lease.cleared());
            try (var list = Files.list(lease.dir())) {
                assertEquals(0, list.count());
            }
            assertTrue(Files.isDirectory(lease.dir()));
        }
        assertEquals("keep", Files.readString(outside.resolve("keep")));
    }

    @Test
    void aCacheLeftByAnotherUserIsEmptiedAndHandedOver() throws Exception {
        BuildCaches caches = new BuildCaches(data);
        try (BuildCaches.CacheLease lease =
                caches.acquire(ref("r.example/app"), false, new CnbUser(1000, 1000), Duration.ofSeconds(1))) {
            Files.writeString(lease.dir().resolve("old"), "x");
        }
        try (BuildCaches.CacheLease lease = caches.acquire(ref("r.example/app"), false, USER, Duration.ofSeconds(1))) {
            assertTrue(lease.cleared());
            assertFalse(Files.exists(lease.dir().resolve("old")));
            assertEquals(4242, Files.getAttribute(lease.dir(), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aSecondBuildWaitsForTheFirstThenGetsIt() throws Exception {
        BuildCaches caches = new BuildCaches(data);
        BuildCaches.CacheLease first = caches.acquire(ref("r.example/app"), false, USER, Duration.ofSeconds(1));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            long t0 = System.nanoTime();
            try (BuildCaches.CacheLease lease =
                    caches.acquire(ref("r.example/app:other-tag"), false, USER, Duration.ofSeconds(10))) {
                return System.nanoTime() - t0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        Thread.sleep(300);
        assertFalse(second.isDone(), "the second build waits while the first holds the cache");
        first.close();
        long waited = second.get(10, TimeUnit.SECONDS);
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(250), "waited " + waited);
    }

    @Test
    void waitingIsBoundedAndOtherRepositoriesAreIndependent() throws Exception {
        BuildCaches caches = new BuildCaches(data);
        try (BuildCaches.CacheLease first = caches.acquire(ref("r.example/app"), false, USER, Duration.ofSeconds(1))) {
            BuildCaches.CacheBusyException e = assertThrows(
                    BuildCaches.CacheBusyException.class,
                    () -> caches.acquire(ref("r.example/app"), false, USER, Duration.ofMillis(200)));
            assertTrue(
                    e.getMessage().contains("build cache of r.example/app is in use by another build"), e.getMessage());
            try (BuildCaches.CacheLease other =
                    caches.acquire(ref("r.example/other"), false, USER, Duration.ofMillis(200))) {
                assertNotEquals(first.dir(), other.dir());
            }
        }
        // released: free again, and closing twice is harmless
        BuildCaches.CacheLease again = caches.acquire(ref("r.example/app"), false, USER, Duration.ofMillis(200));
        again.close();
        again.close();
        caches.acquire(ref("r.example/app"), false, USER, Duration.ofMillis(200))
                .close();
    }

    @Test
    void anotherProcessHoldingTheFileLockIsRespected() throws Exception {
        BuildCaches caches = new BuildCaches(data);
        caches.acquire(ref("r.example/app"), false, USER, Duration.ofSeconds(1)).close();
        Path lockFile = data.resolve("cache").resolve(BuildCaches.key(ref("r.example/app")) + ".lock");
        // flock(1) uses flock(2); Java's FileLock uses fcntl locks: take an fcntl lock with python instead
        Process holder = new ProcessBuilder(
                        "python3",
                        "-c",
                        "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(30)",
                        lockFile.toString())
                .redirectErrorStream(true)
                .start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
            assertEquals("locked", line);
            assertThrows(
                    BuildCaches.CacheBusyException.class,
                    () -> caches.acquire(ref("r.example/app"), false, USER, Duration.ofMillis(300)));
        } finally {
            holder.destroyForcibly().waitFor();
        }
        caches.acquire(ref("r.example/app"), false, USER, Duration.ofSeconds(2)).close();
    }

    @Test
    void aSymlinkInPlaceOfTheCacheIsRefused() throws Exception {
        BuildCaches caches = new BuildCaches(data);
        Files.createDirectories(data.resolve("cache"));
        Path outside = Files.createDirectory(data.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "keep");
        Files.createSymbolicLink(data.resolve("cache").resolve(BuildCaches.key(ref("r.example/app"))), outside);
        java.io.IOException e = assertThrows(
                java.io.IOException.class,
                () -> caches.acquire(ref("r.example/app"), true, USER, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
        assertEquals("keep", Files.readString(outside.resolve("keep")));
        // the failed attempt released its lock
        Files.delete(data.resolve("cache").resolve(BuildCaches.key(ref("r.example/app"))));
        caches.acquire(ref("r.example/app"), false, USER, Duration.ofMillis(200))
                .close();
    }
}
