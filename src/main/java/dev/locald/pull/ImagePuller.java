package dev.locald.pull;

import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.image.PullPolicy;
import dev.locald.layer.ExtractedLayer;
import dev.locald.layer.InvalidLayerException;
import dev.locald.layer.LayerExtractor;
import dev.locald.registry.BlobFetcher;
import dev.locald.registry.ImageResolver;
import dev.locald.registry.RegistryCredential;
import dev.locald.registry.RegistryException;
import dev.locald.registry.ResolvedImage;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecord;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Pulls an image into the local stores, ready to assemble: resolves it, and for each layer that the
 * {@link LayerStore} lacks downloads the blob into the {@link BlobStore} and extracts it as an overlay
 * lower dir. Layers go through download and extraction a few at a time, so one layer extracts while the
 * next downloads; concurrent pulls of shared layers download and extract each once. The image is then
 * recorded in the {@link ImageRecordStore}.
 */
public final class ImagePuller {

    private static final Logger LOG = Logger.getLogger(ImagePuller.class);
    private static final Duration WORKER_STOP_WAIT = Duration.ofSeconds(60);
    /** Warnings an answer carries at most; the rest are counted. */
    static final int MAX_WARNINGS = 20;
    /** How the warning of a pull the cache stood in for starts ({@link #pull(ImageReference, Optional, PullPolicy)}). */
    public static final String CACHE_FALLBACK = "warning: the registry ";

    /**
     * The resolved image and its extracted layer dirs in the store, bottom layer first.
     *
     * @param warnings entries the layers extracted by this pull dropped (device nodes, FIFOs), each naming its
     *                 layer; at most {@link #MAX_WARNINGS} and a count of the rest. Layers already in the
     *                 store were reported by the pull that extracted them.
     */
    public record PulledImage(ResolvedImage image, List<Path> layerDirs, List<String> warnings) {
        public PulledImage {
            layerDirs = List.copyOf(layerDirs);
            warnings = List.copyOf(warnings);
        }

        public PulledImage(ResolvedImage image, List<Path> layerDirs) {
            this(image, layerDirs, List.of());
        }
    }

    /** One layer ready in the store, and what its extraction (if this pull did it) dropped. */
    private record PreparedLayer(Path dir, List<String> warnings) {}

    private final ImageResolver resolver;
    private final BlobFetcher fetcher;
    private final BlobStore blobs;
    private final LayerStore layerStore;
    private final LayerExtractor extractor;
    private final ImageRecordStore records;
    private final int parallelDownloads;
    private final Duration pullTimeout;
    private final Duration tagTtl;
    private final Mirrors mirrors;
    private final AtomicLong layersFromCache = new AtomicLong();
    private final AtomicLong layersExtracted = new AtomicLong();

    /**
     * @param parallelDownloads layers downloaded at once for one image
     * @param pullTimeout       deadline for downloading an image's layers
     * @param tagTtl            how long a resolved tag is current for {@link PullPolicy#IF_NOT_PRESENT}
     *                          ({@code locald.registry.tag-ttl})
     * @param mirrors           registries asked before the origin ({@code locald.registry.mirrors})
     */
    public ImagePuller(
            ImageResolver resolver,
            BlobFetcher fetcher,
            BlobStore blobs,
            LayerStore layerStore,
            LayerExtractor extractor,
            ImageRecordStore records,
            int parallelDownloads,
            Duration pullTimeout,
            Duration tagTtl,
            Mirrors mirrors) {
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("locald.registry.parallel-downloads must be at least 1");
        }
        this.resolver = resolver;
        this.fetcher = fetcher;
        this.blobs = blobs;
        this.layerStore = layerStore;
        this.extractor = extractor;
        this.records = records;
        this.parallelDownloads = parallelDownloads;
        this.pullTimeout = pullTimeout;
        this.tagTtl = tagTtl;
        this.mirrors = mirrors;
    }

    /**
     * Pulls the image as {@code policy} says (docs/api.md, {@code pullPolicy}): {@code always} asks the registry;
     * {@code never} takes the cached image or fails; {@code if-not-present} takes the cached image of a digest, or
     * of a tag resolved within {@code tagTtl}, else asks the registry and, when the registry is unreachable, takes
     * the cached image with a warning.
     *
     * @throws RegistryException    for every registry failure; {@link RegistryException.Kind#NOT_FOUND} when
     *                              {@code never} finds the image not cached
     * @throws UncheckedIOException when the local store cannot be written
     */
    public PulledImage pull(ImageReference ref, Optional<RegistryCredential> credential, PullPolicy policy) {
        if (policy == PullPolicy.ALWAYS) {
            return pull(ref, credential);
        }
        Optional<ImageRecord> cached = cached(ref);
        if (policy == PullPolicy.NEVER) {
            return fromCache(
                    ref,
                    cached.orElseThrow(() -> new RegistryException(
                            RegistryException.Kind.NOT_FOUND,
                            ref + " is not in the image cache, and pullPolicy \"never\" keeps locald from asking its"
                                    + " registry " + ref.registry())),
                    List.of());
        }
        if (cached.isPresent()
                && (ref.digest().isPresent()
                        || Instant.now().isBefore(cached.get().pulledAt().plus(tagTtl)))) {
            return fromCache(ref, cached.get(), List.of());
        }
        try {
            return pull(ref, credential);
        } catch (RegistryException e) {
            if (e.kind() != RegistryException.Kind.UNREACHABLE || cached.isEmpty()) {
                throw e;
            }
            String warning = CACHE_FALLBACK + ref.registry() + " is unreachable (" + e.getMessage()
                    + "); using the cached " + ref + " (" + cached.get().manifestDigest() + ", resolved at "
                    + cached.get().pulledAt() + ")";
            LOG.warn(warning);
            return fromCache(ref, cached.get(), List.of(warning));
        }
    }

    /** The cached image of {@code ref} when its record and every extracted layer are in the store. */
    private Optional<ImageRecord> cached(ImageReference ref) {
        Optional<ImageRecord> record;
        try {
            record = records.find(ref);
        } catch (IOException | IllegalArgumentException unreadable) {
            LOG.warnf("cannot read the cached record of %s, taking it as not cached: %s", ref, unreadable.getMessage());
            return Optional.empty();
        }
        return record.filter(r ->
                r.layers().stream().allMatch(l -> layerStore.find(l.diffId()).isPresent()));
    }

    /**
     * The cached image as a pull would have answered it. The record keeps no manifest bytes (nothing after a pull
     * reads them: builds use the config and the layers), so the resolved image carries none.
     */
    private PulledImage fromCache(ImageReference ref, ImageRecord record, List<String> warnings) {
        List<Path> dirs = new ArrayList<>();
        for (LayerDescriptor layer : record.layers()) {
            dirs.add(layerStore
                    .find(layer.diffId())
                    .orElseThrow(() -> new RegistryException(
                            RegistryException.Kind.NOT_FOUND,
                            "the cached " + ref + " lost its layer " + layer.diffId() + " while being read")));
            layersFromCache.incrementAndGet();
        }
        ResolvedImage image = new ResolvedImage(
                ref,
                record.manifestDigest(),
                record.platform(),
                new byte[0],
                record.configBytes(),
                ImageConfig.parse(record.configBytes()),
                record.layers());
        return new PulledImage(image, dirs, warnings);
    }

    /**
     * @throws RegistryException    for every registry failure (not found, auth, digest mismatch, …)
     * @throws UncheckedIOException when the local store cannot be written
     */
    public PulledImage pull(ImageReference ref, Optional<RegistryCredential> credential) {
        List<String> mirrorFailures = new ArrayList<>();
        for (ImageReference via : mirrors.of(ref)) {
            try {
                // the credential belongs to the origin's registry (BuilderInspection): never sent to a mirror
                PulledImage pulled = pullFrom(ref, via, Optional.empty());
                LOG.infof("pulled %s from the mirror %s", ref, via.registry());
                return pulled;
            } catch (RegistryException e) {
                LOG.infof(
                        "the mirror %s could not serve %s, trying the next source: %s",
                        via.registry(), ref, e.getMessage());
                mirrorFailures.add(via.registry() + ": " + e.getMessage());
            }
        }
        try {
            return pullFrom(ref, ref, credential);
        } catch (RegistryException e) {
            if (mirrorFailures.isEmpty()) {
                throw e;
            }
            throw new RegistryException(
                    e.kind(),
                    e.getMessage() + " (its mirrors failed too: " + String.join("; ", mirrorFailures) + ")",
                    e);
        }
    }

    /** Pulls {@code ref} from the registry {@code via} names (its own or a mirror) and records it as {@code ref}. */
    private PulledImage pullFrom(ImageReference ref, ImageReference via, Optional<RegistryCredential> credential) {
        ResolvedImage served = resolver.resolve(via, credential);
        ResolvedImage image = via.equals(ref)
                ? served
                : new ResolvedImage(
                        ref,
                        served.manifestDigest(),
                        served.platform(),
                        served.manifestBytes(),
                        served.configBytes(),
                        served.config(),
                        served.layers());
        List<LayerDescriptor> layers = image.layers();
        List<Path> paths = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.max(1, Math.min(parallelDownloads, layers.size())), runnable -> {
                    Thread t = new Thread(runnable, "locald-pull-" + ref.repository());
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<PreparedLayer>> downloads = new ArrayList<>();
            for (LayerDescriptor layer : layers) {
                downloads.add(pool.submit(() -> prepare(via, layer, layers, credential)));
            }
            long deadline = System.nanoTime() + pullTimeout.toNanos();
            for (Future<PreparedLayer> download : downloads) {
                PreparedLayer prepared = await(ref, download, downloads, deadline);
                paths.add(prepared.dir());
                warnings.addAll(prepared.warnings());
            }
        } finally {
            pool.shutdownNow();
            awaitWorkers(pool, ref);
        }
        try {
            records.save(new ImageRecord(
                    image.ref(), image.manifestDigest(), image.platform(), image.configBytes(), layers, Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the pulled image " + ref, e);
        }
        return new PulledImage(image, paths, bounded(warnings));
    }

    private static List<String> bounded(List<String> warnings) {
        if (warnings.size() <= MAX_WARNINGS) {
            return warnings;
        }
        List<String> first = new ArrayList<>(warnings.subList(0, MAX_WARNINGS));
        first.add("… and " + (warnings.size() - MAX_WARNINGS) + " more warnings");
        return first;
    }

    /** The layer's extracted dir; a layer already extracted needs no blob at all. */
    private PreparedLayer prepare(
            ImageReference ref,
            LayerDescriptor layer,
            List<LayerDescriptor> imageLayers,
            Optional<RegistryCredential> credential)
            throws IOException {
        Optional<Path> extracted = layerStore.find(layer.diffId());
        if (extracted.isPresent()) {
            layersFromCache.incrementAndGet();
            return new PreparedLayer(extracted.get(), List.of());
        }
        layersExtracted.incrementAndGet();
        Path blob = blobs.ensure(
                layer.digest(), layer.size(), fetcher.source(ref, layer.digest(), layer.size(), credential));
        List<String> warnings = new ArrayList<>();
        try {
            Path dir = layerStore.ensure(layer.diffId(), target -> {
                try (InputStream in = Files.newInputStream(blob)) {
                    ExtractedLayer result = extractor.extract(in, layer.compression(), layer.diffId(), target);
                    result.warnings().forEach(w -> warnings.add("layer " + layer.digest() + ": " + w));
                }
            });
            return new PreparedLayer(dir, warnings);
        } catch (InvalidLayerException e) {
            throw new LayerRefusedException(ref, layer.digest(), imageLayers, e);
        }
    }

    /**
     * Waits for cancelled downloads and extractions to stop, so that a failed pull has finished writing to
     * the stores when it throws and its caller can clean up after it.
     */
    private static void awaitWorkers(ExecutorService pool, ImageReference ref) {
        try {
            if (!pool.awaitTermination(WORKER_STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warnf("layer workers of the pull of %s did not stop within %s", ref, WORKER_STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Layers of pulled images that were already extracted (layer cache hits) since start. */
    public long layersFromCache() {
        return layersFromCache.get();
    }

    /** Layers of pulled images that had to be downloaded and extracted (layer cache misses) since start. */
    public long layersExtracted() {
        return layersExtracted.get();
    }

    private <T> T await(ImageReference ref, Future<T> download, List<? extends Future<?>> all, long deadline) {
        try {
            return download.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            all.forEach(f -> f.cancel(true));
            throw new RegistryException(
                    RegistryException.Kind.UNREACHABLE, "pulling " + ref + " did not finish within " + pullTimeout, e);
        } catch (InterruptedException e) {
            all.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, "interrupted while pulling", e);
        } catch (ExecutionException e) {
            all.forEach(f -> f.cancel(true));
            Throwable cause = e.getCause();
            if (cause instanceof RegistryException re) {
                throw re;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("cannot store a layer blob: " + io.getMessage(), io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }
}
