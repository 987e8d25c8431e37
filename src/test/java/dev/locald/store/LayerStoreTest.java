package dev.locald.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

class LayerStoreTest {

    @TempDir
    Path data;

    static final Digest DIFF_ID = Digest.ofBytes(new byte[] {42});

    static LayerWriter writesHello() {
        return dir -> {
            Files.createDirectories(dir.resolve("etc"));
            Files.writeString(dir.resolve("etc/hello"), "hi");
            Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc"));
        };
    }

    @Test
    void extractsIntoTempThenRenamesIntoPlace() throws IOException {
        LayerStore store = new LayerStore(data);
        List<Path> seen = new ArrayList<>();
        Path dir = store.ensure(DIFF_ID, target -> {
            seen.add(target);
            try (var entries = Files.list(target)) {
                assertEquals(0, entries.count(), "the writer gets an empty dir");
            }
            assertTrue(target.startsWith(data.resolve("layers/tmp")), "writer works in layers/tmp");
            writesHello().writeInto(target);
        });
        assertEquals(data.resolve("layers/sha256/" + DIFF_ID.hex()), dir);
        assertEquals("hi", Files.readString(dir.resolve("etc/hello")));
        assertFalse(Files.exists(seen.get(0)), "the temp dir was renamed away");
        assertEquals(Optional.of(dir), store.find(DIFF_ID));
        assertEquals(2, store.sizeOf(DIFF_ID));
        assertEquals(
                List.of(DIFF_ID),
                store.listAll().stream().map(StoredLayer::diffId).toList());
        store.ensure(DIFF_ID, target -> {
            throw new AssertionError("a present layer is not extracted again");
        });
    }

    @Test
    void failedWriterLeavesNoLayerAndNoTemp() throws IOException {
        LayerStore store = new LayerStore(data);
        IOException e = assertThrows(
                IOException.class,
                () -> store.ensure(DIFF_ID, dir -> {
                    writesHello().writeInto(dir);
                    throw new IOException("diffId mismatch");
                }));
        assertEquals("diffId mismatch", e.getMessage());
        assertEquals(Optional.empty(), store.find(DIFF_ID));
        assertEquals(0, store.tempDirCount());
    }

    @Test
    void concurrentEnsuresExtractOnce() throws Exception {
        LayerStore store = new LayerStore(data);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LayerWriter slow = dir -> {
            runs.incrementAndGet();
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            writesHello().writeInto(dir);
        };
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> store.ensure(DIFF_ID, slow)));
            }
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Thread.sleep(100);
            release.countDown();
            for (Future<Path> f : results) {
                assertEquals("hi", Files.readString(f.get(10, TimeUnit.SECONDS).resolve("etc/hello")));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, runs.get());
    }

    @Test
    void crashLeftoversAreSweptOnOpen() throws IOException {
        new LayerStore(data);
        Path leftover = data.resolve("layers/tmp/" + DIFF_ID.hex() + "-crashed");
        Files.createDirectories(leftover.resolve("a/b"));
        Files.writeString(leftover.resolve("a/b/f"), "x");
        Files.setPosixFilePermissions(leftover.resolve("a"), PosixFilePermissions.fromString("r-x------"));
        LayerStore reopened = new LayerStore(data);
        assertEquals(0, reopened.tempDirCount());
        assertEquals(Optional.empty(), reopened.find(DIFF_ID));
    }

    @Test
    void deleteRemovesLinksNotTheirTargets(@TempDir Path outside) throws IOException {
        Path precious = outside.resolve("precious");
        Files.createDirectories(precious);
        Files.writeString(precious.resolve("keep"), "keep me");
        LayerStore store = new LayerStore(data);
        store.ensure(DIFF_ID, dir -> {
            Files.createSymbolicLink(dir.resolve("escape"), precious);
            Files.createSymbolicLink(dir.resolve("file-escape"), precious.resolve("keep"));
            Files.createDirectories(dir.resolve("sub"));
            Files.createSymbolicLink(dir.resolve("sub/up"), Path.of("../../../../.."));
        });
        assertTrue(store.delete(DIFF_ID));
        assertFalse(Files.exists(store.dirOf(DIFF_ID), LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep me", Files.readString(precious.resolve("keep")));
        assertEquals(0, store.tempDirCount());
        assertFalse(store.delete(DIFF_ID));
    }
}
