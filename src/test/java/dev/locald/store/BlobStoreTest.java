package dev.locald.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {

    @TempDir
    Path data;

    static final byte[] CONTENT = "hello blob store".getBytes(StandardCharsets.UTF_8);
    static final Digest DIGEST = Digest.ofBytes(CONTENT);

    @Test
    void storesVerifiedBlobAtItsDigestPath() throws IOException {
        BlobStore store = new BlobStore(data);
        Path path = store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(CONTENT));
        assertEquals(data.resolve("blobs/sha256/" + DIGEST.hex()), path);
        assertArrayEquals(CONTENT, Files.readAllBytes(path));
        assertEquals(
                "r--r--r--",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path)),
                "blobs are read-only");
        assertEquals(Optional.of(path), store.find(DIGEST));
        assertEquals(CONTENT.length, store.totalBytes());
        assertEquals(
                List.of(DIGEST),
                store.listAll().stream().map(StoredBlob::digest).toList());
        assertEquals(0, store.tempFileCount());
    }

    @Test
    void presentBlobIsNotFetchedAgain() throws IOException {
        BlobStore store = new BlobStore(data);
        store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(CONTENT));
        store.ensure(DIGEST, CONTENT.length, sink -> {
            throw new AssertionError("must not fetch a stored blob");
        });
    }

    @Test
    void wrongBytesAreRefusedAndLeaveNothing() throws IOException {
        BlobStore store = new BlobStore(data);
        byte[] other = "hello blob storE".getBytes(StandardCharsets.UTF_8);
        BlobVerificationException e = assertThrows(
                BlobVerificationException.class, () -> store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(other)));
        assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
        assertNothingStored(store);
    }

    @Test
    void shortAndLongBlobsAreRefused() throws IOException {
        BlobStore store = new BlobStore(data);
        byte[] shorter = java.util.Arrays.copyOf(CONTENT, CONTENT.length - 3);
        assertTrue(assertThrows(
                        BlobVerificationException.class,
                        () -> store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(shorter)))
                .getMessage()
                .contains("truncated"));
        byte[] longer = java.util.Arrays.copyOf(CONTENT, CONTENT.length + 1);
        assertTrue(assertThrows(
                        BlobVerificationException.class,
                        () -> store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(longer)))
                .getMessage()
                .contains("larger"));
        assertNothingStored(store);
    }

    @Test
    void sourceFailureLeavesNothing() throws IOException {
        BlobStore store = new BlobStore(data);
        IOException e = assertThrows(
                IOException.class,
                () -> store.ensure(DIGEST, CONTENT.length, sink -> {
                    try (OutputStream out = sink.open()) {
                        out.write(CONTENT, 0, 4);
                        throw new IOException("connection reset");
                    }
                }));
        assertEquals("connection reset", e.getMessage());
        assertNothingStored(store);
    }

    @Test
    void reopeningTheSinkDiscardsAFailedAttempt() throws IOException {
        BlobStore store = new BlobStore(data);
        Path path = store.ensure(DIGEST, CONTENT.length, sink -> {
            try (OutputStream first = sink.open()) {
                first.write(CONTENT, 0, 5);
            }
            try (OutputStream second = sink.open()) {
                second.write(CONTENT);
            }
        });
        assertArrayEquals(CONTENT, Files.readAllBytes(path));
    }

    @Test
    void concurrentEnsuresDownloadOnce() throws Exception {
        BlobStore store = new BlobStore(data);
        AtomicInteger fetches = new AtomicInteger();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlobSource slow = sink -> {
            fetches.incrementAndGet();
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            try (OutputStream out = sink.open()) {
                out.write(CONTENT);
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> store.ensure(DIGEST, CONTENT.length, slow)));
            }
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Thread.sleep(100); // let the other callers pile up behind the first
            release.countDown();
            for (Future<Path> f : results) {
                assertArrayEquals(CONTENT, Files.readAllBytes(f.get(10, TimeUnit.SECONDS)));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, fetches.get(), "one download for eight concurrent callers");
        assertEquals(0, store.tempFileCount());
    }

    @Test
    void concurrentCallersShareAFailureAndALaterCallRetries() throws Exception {
        BlobStore store = new BlobStore(data);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Path> first = pool.submit(() -> store.ensure(DIGEST, CONTENT.length, sink -> {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                throw new IOException("registry went away");
            }));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Future<Path> second = pool.submit(() -> store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(CONTENT)));
            Thread.sleep(100);
            release.countDown();
            assertTrue(
                    assertThrows(java.util.concurrent.ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS))
                            .getCause()
                            .getMessage()
                            .contains("registry went away"));
            // the second caller either waited on the failed flight (and failed) or came after it (and fetched)
            try {
                second.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException shared) {
                assertTrue(shared.getCause().getMessage().contains("registry went away"));
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(
                CONTENT, Files.readAllBytes(store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(CONTENT))));
    }

    @Test
    void startupSweepsTempFilesAndDeleteRemoves() throws IOException {
        BlobStore store = new BlobStore(data);
        store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(CONTENT));
        Files.write(data.resolve("blobs/tmp/" + DIGEST.hex() + "-dead"), new byte[] {1, 2});
        BlobStore reopened = new BlobStore(data);
        assertEquals(0, reopened.tempFileCount());
        assertTrue(reopened.find(DIGEST).isPresent(), "finished blobs survive the sweep");
        assertTrue(reopened.delete(DIGEST));
        assertFalse(reopened.delete(DIGEST));
        assertEquals(Optional.empty(), reopened.find(DIGEST));
        assertEquals(0, reopened.totalBytes());
    }

    @Test
    void sizeDisagreeingWithStoredBlobIsRefused() throws IOException {
        BlobStore store = new BlobStore(data);
        store.ensure(DIGEST, CONTENT.length, BlobSource.ofBytes(CONTENT));
        assertThrows(
                BlobVerificationException.class,
                () -> store.ensure(DIGEST, CONTENT.length + 1, BlobSource.ofBytes(CONTENT)));
    }

    @Test
    void emptyBlob() throws IOException {
        BlobStore store = new BlobStore(data);
        Digest empty = Digest.ofBytes(new byte[0]);
        Path path = store.ensure(empty, 0, sink -> {});
        assertEquals(0, Files.size(path));
    }

    private static void assertNothingStored(BlobStore store) throws IOException {
        assertEquals(Optional.empty(), store.find(DIGEST));
        assertEquals(0, store.tempFileCount(), "no temp file is left behind");
        assertEquals(0, store.totalBytes());
    }
}
