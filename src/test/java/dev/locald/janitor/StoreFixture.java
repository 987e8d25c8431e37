package dev.locald.janitor;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.store.BlobSource;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecord;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Real stores under one data dir, with helpers that plant layers, blobs and image records with chosen last-use times. */
final class StoreFixture {

    final Path dataDir;
    final BlobStore blobs;
    final LayerStore layers;
    final ImageRecordStore images;

    StoreFixture(Path dataDir) throws IOException {
        this.dataDir = dataDir;
        this.blobs = new BlobStore(dataDir);
        this.layers = new LayerStore(dataDir);
        this.images = new ImageRecordStore(dataDir);
    }

    /** A layer (its compressed blob and its extracted dir) last used at {@code used}. */
    LayerDescriptor layer(String name, int bytes, Instant used) throws IOException {
        byte[] blob = (name + "-compressed").getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.ofBytes(blob);
        Digest diffId = Digest.ofBytes((name + "-diff").getBytes(StandardCharsets.UTF_8));
        Path stored = blobs.ensure(digest, blob.length, BlobSource.ofBytes(blob));
        layers.ensure(diffId, dir -> {
            Files.createDirectories(dir.resolve("usr/share/" + name));
            Files.write(dir.resolve("usr/share/" + name + "/data"), new byte[bytes]);
        });
        Files.setLastModifiedTime(stored, FileTime.from(used));
        Files.setLastModifiedTime(dataDir.resolve("layers/used/" + diffId.hex()), FileTime.from(used));
        return new LayerDescriptor(digest, blob.length, "application/vnd.oci.image.layer.v1.tar+gzip", diffId);
    }

    ImageRecord image(String reference, Instant pulledAt, LayerDescriptor... layerList) throws IOException {
        byte[] config = ("{\"config\":\"" + reference + "\"}").getBytes(StandardCharsets.UTF_8);
        ImageRecord record = new ImageRecord(
                ImageReference.parse(reference),
                Digest.ofBytes(("m" + reference).getBytes()),
                "linux/amd64",
                config,
                List.of(layerList),
                pulledAt);
        images.save(record);
        return record;
    }

    boolean hasLayer(LayerDescriptor l) {
        return Files.isDirectory(layers.dirOf(l.diffId())) && Files.isRegularFile(blobs.pathOf(l.digest()));
    }

    boolean lacksLayer(LayerDescriptor l) {
        return !Files.exists(layers.dirOf(l.diffId())) && !Files.exists(blobs.pathOf(l.digest()));
    }

    List<String> imageReferences() throws IOException {
        List<String> refs = new ArrayList<>();
        for (ImageRecord r : images.listAll()) {
            refs.add(r.reference().toString());
        }
        refs.sort(null);
        return refs;
    }
}
