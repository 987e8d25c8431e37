package dev.locald.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRecordStoreTest {

    @TempDir
    Path data;

    @Test
    void savesFindsListsReplacesAndDeletes() throws Exception {
        ImageRecordStore store = new ImageRecordStore(data);
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/team/builder:1");
        byte[] config = "{\"rootfs\":{}}".getBytes(StandardCharsets.UTF_8);
        LayerDescriptor layer = new LayerDescriptor(
                Digest.ofBytes(new byte[] {1}),
                10,
                "application/vnd.oci.image.layer.v1.tar+zstd",
                Digest.ofBytes(new byte[] {2}));
        ImageRecord first = new ImageRecord(
                ref.withDigest(Digest.ofBytes(new byte[] {3})),
                Digest.ofBytes(new byte[] {3}),
                "linux/amd64",
                config,
                List.of(layer),
                Instant.parse("2026-01-01T00:00:00Z"));
        store.save(first);
        assertEquals(Optional.of(first), store.find(first.reference()));
        assertEquals(
                Digest.ofBytes(config),
                store.find(first.reference()).orElseThrow().configDigest());

        ImageRecord second = new ImageRecord(
                first.reference(),
                Digest.ofBytes(new byte[] {4}),
                "linux/amd64",
                config,
                List.of(),
                Instant.parse("2026-01-02T00:00:00Z"));
        store.save(second);
        assertEquals(List.of(second), new ImageRecordStore(data).listAll(), "a re-pull replaces the record");
        try (var files = Files.list(data.resolve("images"))) {
            assertEquals(1, files.count(), "no temp files remain");
        }
        assertTrue(store.delete(second.reference()));
        assertFalse(store.delete(second.reference()));
        assertTrue(store.listAll().isEmpty());
    }

    @Test
    void unreadableRecordIsSkippedWhenListing() throws Exception {
        ImageRecordStore store = new ImageRecordStore(data);
        Files.writeString(data.resolve("images/broken.json"), "{not json");
        assertTrue(store.listAll().isEmpty());
    }
}
