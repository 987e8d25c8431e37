package dev.locald.pull;

import dev.locald.image.Digest;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.image.PullPolicy;
import dev.locald.registry.RegistryCredential;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecord;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import dev.locald.store.StoredBlob;
import dev.locald.store.StoredLayer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The image cache as operators see it: pull an image into the stores, list and inspect what is cached,
 * and delete an image together with the blobs and extracted layers that nothing else needs. Deletion
 * spares layers shared with another cached image and refuses images a running build has leased
 * ({@link ImageLeases}). An image whose layer is refused as hostile leaves nothing of itself behind, and
 * re-pulling a tag that moved removes what only the image it used to name needed.
 */
@Singleton
public final class ImageCatalog {

    private static final Logger LOG = Logger.getLogger(ImageCatalog.class);

    /** What a deletion removed and what it kept because something else uses it. */
    public record Removal(
            Digest manifestDigest,
            List<ImageReference> references,
            List<Digest> blobsRemoved,
            List<Digest> layersRemoved,
            List<Digest> layersKept) {
        public Removal {
            references = List.copyOf(references);
            blobsRemoved = List.copyOf(blobsRemoved);
            layersRemoved = List.copyOf(layersRemoved);
            layersKept = List.copyOf(layersKept);
        }
    }

    /** A pulled image whose layers a lease protects until {@link #close()}. */
    public record LeasedImage(ImagePuller.PulledImage pulled, ImageLeases.Lease lease) implements AutoCloseable {
        @Override
        public void close() {
            lease.close();
        }
    }

    private final ImagePuller puller;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final ImageRecordStore records;
    private final ImageLeases leases;
    /** Extracted sizes by diffId: a layer never changes once extracted, and walking it is not free. */
    private final Map<Digest, Long> extractedSizes = new ConcurrentHashMap<>();

    public ImageCatalog(
            ImagePuller puller, BlobStore blobs, LayerStore layers, ImageRecordStore records, ImageLeases leases) {
        this.puller = puller;
        this.blobs = blobs;
        this.layers = layers;
        this.records = records;
        this.leases = leases;
    }

    /**
     * Pulls the image (blobs and extracted layers) and describes it as cached, with the pull's warnings.
     *
     * @throws dev.locald.registry.RegistryException for every registry failure
     * @throws LayerRefusedException                 when a layer is hostile; the image's blobs and layers
     *                                               that no other cached image uses are removed first
     */
    public Pulled pull(ImageReference ref, Optional<RegistryCredential> credential) throws IOException {
        ImagePuller.PulledImage pulled = pullCleaningRefused(ref, credential, PullPolicy.ALWAYS);
        Digest manifest = pulled.image().manifestDigest();
        CachedImage image = find(manifest)
                .orElseThrow(() -> new IOException("image " + ref + " (" + manifest
                        + ") was pulled but its record vanished: deleted concurrently"));
        return new Pulled(image, pulled.warnings());
    }

    /** A pulled image as cached, with what extracting its new layers dropped ({@link ImagePuller.PulledImage}). */
    public record Pulled(CachedImage image, List<String> warnings) {
        public Pulled {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Pulls the image and leases it for a build. The layers are checked after the lease is taken: a
     * deletion between pull and lease may have removed them, in which case the image is pulled again
     * (pinned to the same manifest) under the lease.
     */
    public LeasedImage pullLeased(ImageReference ref, Optional<RegistryCredential> credential) {
        return pullLeased(ref, credential, PullPolicy.ALWAYS);
    }

    /**
     * {@link #pullLeased(ImageReference, Optional)} as the build's {@code pullPolicy} says: the cached image may
     * serve without asking the registry ({@link ImagePuller#pull(ImageReference, Optional, PullPolicy)}).
     */
    public LeasedImage pullLeased(ImageReference ref, Optional<RegistryCredential> credential, PullPolicy policy) {
        return lease(pullCleaningRefused(ref, credential, policy), credential, policy);
    }

    LeasedImage lease(ImagePuller.PulledImage pulled, Optional<RegistryCredential> credential) {
        return lease(pulled, credential, PullPolicy.ALWAYS);
    }

    /** Leases a pulled image, pulling it again (pinned) when its layers went missing before the lease. */
    LeasedImage lease(ImagePuller.PulledImage pulled, Optional<RegistryCredential> credential, PullPolicy policy) {
        ImageLeases.Lease lease = leases.acquire(
                pulled.image().manifestDigest(),
                pulled.image().layers().stream().map(LayerDescriptor::diffId).toList());
        try {
            if (!pulled.layerDirs().stream().allMatch(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))) {
                pulled = pullCleaningRefused(pulled.image().pinned(), credential, policy);
            }
            return new LeasedImage(pulled, lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Every cached image, most recently used first. */
    public List<CachedImage> list() throws IOException {
        Map<Digest, List<ImageRecord>> byManifest = new LinkedHashMap<>();
        for (ImageRecord r : records.listAll()) {
            byManifest
                    .computeIfAbsent(r.manifestDigest(), d -> new ArrayList<>())
                    .add(r);
        }
        StoreView view = storeView();
        List<CachedImage> out = new ArrayList<>();
        for (List<ImageRecord> group : byManifest.values()) {
            out.add(describe(group, view));
        }
        out.sort(Comparator.comparing(CachedImage::lastUsed)
                .reversed()
                .thenComparing(i -> i.manifestDigest().hex()));
        return out;
    }

    /** The cached image with this platform manifest digest. */
    public Optional<CachedImage> find(Digest manifestDigest) throws IOException {
        List<ImageRecord> group = records.listAll().stream()
                .filter(r -> r.manifestDigest().equals(manifestDigest))
                .toList();
        return group.isEmpty() ? Optional.empty() : Optional.of(describe(group, storeView()));
    }

    /**
     * Deletes every record of the image, then its blobs and extracted layers that no other cached image
     * references and no lease holds. Leases cannot start while this runs. Links inside layers are removed,
     * never followed ({@link LayerStore#delete}).
     *
     * @return what was removed; empty when no image with this digest is cached
     * @throws ImageInUseException when a running build holds a lease on the image
     */
    public Optional<Removal> delete(Digest manifestDigest) throws IOException {
        return leases.exclusively(() -> {
            List<ImageRecord> all = records.listAll();
            List<ImageRecord> doomed = all.stream()
                    .filter(r -> r.manifestDigest().equals(manifestDigest))
                    .toList();
            if (doomed.isEmpty()) {
                return Optional.<Removal>empty();
            }
            if (leases.inUse(manifestDigest)) {
                throw new ImageInUseException(manifestDigest);
            }
            List<ImageRecord> others = all.stream()
                    .filter(r -> !r.manifestDigest().equals(manifestDigest))
                    .toList();
            // records first: a crash half-way leaves unreferenced bytes, never a record missing its layers
            for (ImageRecord r : doomed) {
                records.delete(r.reference());
            }
            Set<LayerDescriptor> doomedLayers = new LinkedHashSet<>();
            doomed.forEach(r -> doomedLayers.addAll(r.layers()));
            Sweep sweep = sweep(doomedLayers, others);
            LOG.infof(
                    "deleted image %s (%s): %d blob(s) and %d layer(s) removed, %d layer(s) kept for other images",
                    manifestDigest,
                    doomed.stream().map(r -> r.reference().toString()).toList(),
                    sweep.blobs().size(),
                    sweep.layers().size(),
                    sweep.kept().size());
            return Optional.of(new Removal(
                    manifestDigest,
                    doomed.stream().map(ImageRecord::reference).toList(),
                    sweep.blobs(),
                    sweep.layers(),
                    sweep.kept()));
        });
    }

    private ImagePuller.PulledImage pullCleaningRefused(
            ImageReference ref, Optional<RegistryCredential> credential, PullPolicy policy) {
        Optional<ImageRecord> previous = previousRecord(ref);
        try {
            ImagePuller.PulledImage pulled = puller.pull(ref, credential, policy);
            previous.filter(p -> !p.manifestDigest().equals(pulled.image().manifestDigest()))
                    .ifPresent(this::removeSuperseded);
            return pulled;
        } catch (LayerRefusedException refused) {
            try {
                removeRefused(refused);
            } catch (IOException | RuntimeException cleanup) {
                refused.addSuppressed(cleanup);
                LOG.errorf(cleanup, "could not remove what the refused image %s left in the store", ref);
            }
            throw refused;
        }
    }

    private Optional<ImageRecord> previousRecord(ImageReference ref) {
        try {
            return records.find(ref);
        } catch (IOException | IllegalArgumentException unreadable) {
            // only the clean-up of a superseded image depends on it; the pull itself does not
            LOG.warnf("cannot read the previous record of %s: %s", ref, unreadable.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A tag that moved was pulled again and its record now names the new manifest: the old image is no
     * longer reachable through any record unless another reference names it, so its blobs and layers that
     * nothing else uses go now rather than stay behind unlisted. A leased old image is left alone.
     */
    private void removeSuperseded(ImageRecord old) {
        try {
            leases.exclusively(() -> {
                List<ImageRecord> all = records.listAll();
                if (leases.inUse(old.manifestDigest())
                        || all.stream().anyMatch(r -> r.manifestDigest().equals(old.manifestDigest()))) {
                    return null;
                }
                Sweep sweep = sweep(new LinkedHashSet<>(old.layers()), all);
                LOG.infof(
                        "%s moved from %s: removed %d blob(s) and %d layer(s) only the old image used",
                        old.reference(),
                        old.manifestDigest(),
                        sweep.blobs().size(),
                        sweep.layers().size());
                return null;
            });
        } catch (IOException e) {
            // the new image is pulled and recorded; what is left of the old one is unreferenced bytes
            LOG.errorf(e, "could not remove the superseded image %s of %s", old.manifestDigest(), old.reference());
        }
    }

    /** Removes the refused image's blobs and extracted layers that no cached image or lease needs. */
    private void removeRefused(LayerRefusedException refused) throws IOException {
        leases.exclusively(() -> {
            Sweep sweep = sweep(new LinkedHashSet<>(refused.imageLayers()), records.listAll());
            if (!sweep.blobs().isEmpty() || !sweep.layers().isEmpty()) {
                LOG.infof(
                        "removed %d blob(s) and %d layer(s) of an image refused for its layer %s",
                        sweep.blobs().size(), sweep.layers().size(), refused.layer());
            }
            return null;
        });
    }

    private record Sweep(List<Digest> blobs, List<Digest> layers, List<Digest> kept) {}

    /** Deletes the blobs and layers of {@code candidates} that {@code keepers} and leases do not use. */
    private Sweep sweep(Set<LayerDescriptor> candidates, List<ImageRecord> keepers) throws IOException {
        Set<Digest> neededBlobs = new HashSet<>();
        Set<Digest> neededLayers = new HashSet<>(leases.layersInUse());
        for (ImageRecord r : keepers) {
            for (LayerDescriptor l : r.layers()) {
                neededBlobs.add(l.digest());
                neededLayers.add(l.diffId());
            }
        }
        List<Digest> removedBlobs = new ArrayList<>();
        List<Digest> removedLayers = new ArrayList<>();
        List<Digest> kept = new ArrayList<>();
        for (LayerDescriptor l : candidates) {
            if (!neededBlobs.contains(l.digest()) && blobs.delete(l.digest())) {
                removedBlobs.add(l.digest());
            }
            if (neededLayers.contains(l.diffId())) {
                kept.add(l.diffId());
            } else {
                extractedSizes.remove(l.diffId());
                if (layers.delete(l.diffId())) {
                    removedLayers.add(l.diffId());
                }
            }
        }
        return new Sweep(removedBlobs, removedLayers, kept);
    }

    /** One listing of both stores, read without marking anything used. */
    private record StoreView(Set<Digest> blobs, Map<Digest, StoredLayer> layers) {}

    private StoreView storeView() throws IOException {
        Set<Digest> blobDigests = new HashSet<>();
        for (StoredBlob b : blobs.listAll()) {
            blobDigests.add(b.digest());
        }
        Map<Digest, StoredLayer> layerMap = new HashMap<>();
        for (StoredLayer l : layers.listAll()) {
            layerMap.put(l.diffId(), l);
        }
        return new StoreView(blobDigests, layerMap);
    }

    private CachedImage describe(List<ImageRecord> group, StoreView view) throws IOException {
        List<ImageRecord> newestFirst = group.stream()
                .sorted(Comparator.comparing(ImageRecord::pulledAt).reversed())
                .toList();
        ImageRecord latest = newestFirst.get(0);
        Instant lastUsed = latest.pulledAt();
        List<CachedLayer> cached = new ArrayList<>();
        for (LayerDescriptor l : latest.layers()) {
            StoredLayer stored = view.layers().get(l.diffId());
            long size = 0;
            if (stored != null) {
                size = extractedSize(l.diffId());
                if (stored.lastUsed().isAfter(lastUsed)) {
                    lastUsed = stored.lastUsed();
                }
            }
            cached.add(new CachedLayer(l, view.blobs().contains(l.digest()), stored != null, size));
        }
        return new CachedImage(
                newestFirst.stream().map(ImageRecord::reference).distinct().toList(),
                latest.manifestDigest(),
                latest.platform(),
                latest.configDigest(),
                ImageConfig.parse(latest.configBytes()),
                cached,
                latest.pulledAt(),
                lastUsed,
                leases.inUse(latest.manifestDigest()));
    }

    private long extractedSize(Digest diffId) throws IOException {
        Long known = extractedSizes.get(diffId);
        if (known != null) {
            return known;
        }
        long size = layers.sizeOf(diffId);
        extractedSizes.put(diffId, size);
        return size;
    }
}
