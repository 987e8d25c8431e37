package dev.locald.janitor;

import dev.locald.image.Digest;
import dev.locald.image.LayerDescriptor;
import dev.locald.pull.ImageLeases;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecord;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import dev.locald.store.StoredBlob;
import dev.locald.store.StoredLayer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Garbage collection of the blob and layer stores. An image counts as recent when it was pulled (every
 * build pulls its builder and run image, so this is its last use) within the image retention. Then:
 * <ol>
 * <li>records of images that are not recent are dropped;</li>
 * <li>blobs and layers that no recent image references go, unless they were used within {@code minIdle}
 *     (a pull in progress) — orphans included;</li>
 * <li>while the stores still hold more than the budget, the least recently used recent image is evicted
 *     (its record, then its blobs and layers that no remaining image shares), never one used within
 *     {@code minIdle}.</li>
 * </ol>
 * Images a running build holds a lease on ({@link ImageLeases}) count as recent whatever their age, and
 * leased layers are never deleted; the decisions and deletions run while no lease can start. Deletion goes
 * through the stores, which never follow links.
 */
final class StoreCollector {

    private static final Logger LOG = Logger.getLogger(StoreCollector.class);

    /** @param imageRetention how long after its last pull an image's content is kept
     *  @param budgetBytes    what blobs and layers may hold together
     *  @param minIdle        content used more recently than this is never deleted */
    public record Settings(Duration imageRetention, long budgetBytes, Duration minIdle) {}

    /** What one collection removed. */
    public record Report(
            List<String> images, List<Digest> blobs, List<Digest> layers, long bytesFreed, long bytesKept) {}

    private final BlobStore blobs;
    private final LayerStore layers;
    private final ImageRecordStore images;
    private final ImageLeases leases;
    private final Settings settings;

    public StoreCollector(
            BlobStore blobs, LayerStore layers, ImageRecordStore images, ImageLeases leases, Settings settings) {
        this.blobs = blobs;
        this.layers = layers;
        this.images = images;
        this.leases = leases;
        this.settings = settings;
    }

    public Report collect(Instant now) throws IOException {
        // measuring walks every layer: done before taking the lease lock, so builds are not held up by it
        Map<Digest, Long> sizes = new HashMap<>();
        for (StoredLayer l : layers.listAll()) {
            sizes.put(l.diffId(), layers.sizeOf(l.diffId()));
        }
        return leases.exclusively(() -> collectUnderLeaseLock(now, sizes));
    }

    private Report collectUnderLeaseLock(Instant now, Map<Digest, Long> measured) throws IOException {
        Set<Digest> leasedLayers = leases.layersInUse();
        Instant recentSince = now.minus(settings.imageRetention());
        Instant busySince = now.minus(settings.minIdle());
        List<String> droppedImages = new ArrayList<>();
        List<ImageRecord> kept = new ArrayList<>();
        for (ImageRecord record : images.listAll()) {
            if (record.pulledAt().isBefore(recentSince) && !leases.inUse(record.manifestDigest())) {
                images.delete(record.reference());
                droppedImages.add(record.reference().toString());
            } else {
                kept.add(record);
            }
        }
        Map<Digest, StoredBlob> storedBlobs = new HashMap<>();
        for (StoredBlob b : blobs.listAll()) {
            storedBlobs.put(b.digest(), b);
        }
        Map<Digest, StoredLayer> storedLayers = new HashMap<>();
        Map<Digest, Long> layerBytes = new HashMap<>();
        for (StoredLayer l : layers.listAll()) {
            storedLayers.put(l.diffId(), l);
            Long size = measured.get(l.diffId());
            layerBytes.put(l.diffId(), size != null ? size : layers.sizeOf(l.diffId()));
        }
        List<Digest> deletedBlobs = new ArrayList<>();
        List<Digest> deletedLayers = new ArrayList<>();
        long freed = 0;

        Set<Digest> wantedBlobs = new HashSet<>();
        Set<Digest> wantedLayers = new HashSet<>(leasedLayers);
        referencedBy(kept, wantedBlobs, wantedLayers);
        for (StoredBlob b : List.copyOf(storedBlobs.values())) {
            if (!wantedBlobs.contains(b.digest()) && b.lastUsed().isBefore(busySince) && blobs.delete(b.digest())) {
                deletedBlobs.add(b.digest());
                freed += b.size();
                storedBlobs.remove(b.digest());
            }
        }
        for (StoredLayer l : List.copyOf(storedLayers.values())) {
            if (!wantedLayers.contains(l.diffId()) && l.lastUsed().isBefore(busySince) && layers.delete(l.diffId())) {
                deletedLayers.add(l.diffId());
                freed += layerBytes.get(l.diffId());
                storedLayers.remove(l.diffId());
            }
        }

        long held = total(storedBlobs, storedLayers, layerBytes);
        List<ImageRecord> byAge = new ArrayList<>(kept);
        byAge.sort(Comparator.comparing(ImageRecord::pulledAt));
        for (ImageRecord oldest : byAge) {
            if (held <= settings.budgetBytes()) {
                break;
            }
            if (leases.inUse(oldest.manifestDigest())) {
                continue;
            }
            if (!oldest.pulledAt().isBefore(busySince)) {
                LOG.warnf(
                        "the stores hold %d bytes, above locald.janitor.store-budget-bytes=%d, but every remaining "
                                + "image was used within %s",
                        held, settings.budgetBytes(), settings.minIdle());
                break;
            }
            images.delete(oldest.reference());
            droppedImages.add(oldest.reference().toString());
            kept.remove(oldest);
            wantedBlobs.clear();
            wantedLayers.clear();
            wantedLayers.addAll(leasedLayers);
            referencedBy(kept, wantedBlobs, wantedLayers);
            for (LayerDescriptor layer : oldest.layers()) {
                StoredBlob blob = storedBlobs.get(layer.digest());
                if (blob != null
                        && !wantedBlobs.contains(blob.digest())
                        && blob.lastUsed().isBefore(busySince)
                        && blobs.delete(blob.digest())) {
                    deletedBlobs.add(blob.digest());
                    freed += blob.size();
                    held -= blob.size();
                    storedBlobs.remove(blob.digest());
                }
                StoredLayer stored = storedLayers.get(layer.diffId());
                if (stored != null
                        && !wantedLayers.contains(stored.diffId())
                        && stored.lastUsed().isBefore(busySince)
                        && layers.delete(stored.diffId())) {
                    deletedLayers.add(stored.diffId());
                    long size = layerBytes.get(stored.diffId());
                    freed += size;
                    held -= size;
                    storedLayers.remove(stored.diffId());
                }
            }
        }
        return new Report(droppedImages, deletedBlobs, deletedLayers, freed, held);
    }

    private static void referencedBy(List<ImageRecord> records, Set<Digest> blobDigests, Set<Digest> diffIds) {
        for (ImageRecord record : records) {
            blobDigests.add(record.configDigest());
            for (LayerDescriptor layer : record.layers()) {
                blobDigests.add(layer.digest());
                diffIds.add(layer.diffId());
            }
        }
    }

    private static long total(Map<Digest, StoredBlob> blobs, Map<Digest, StoredLayer> layers, Map<Digest, Long> sizes) {
        long sum = 0;
        for (StoredBlob b : blobs.values()) {
            sum += b.size();
        }
        for (Digest d : layers.keySet()) {
            sum += sizes.get(d);
        }
        return sum;
    }
}
