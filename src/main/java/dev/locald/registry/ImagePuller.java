package dev.locald.registry;

import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecord;
import dev.locald.store.ImageRecordStore;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Pulls an image into the local stores: resolves it, downloads the layer blobs that the {@link BlobStore}
 * lacks (a few at a time; concurrent pulls of shared layers download each once), and records the image in
 * the {@link ImageRecordStore}. Extraction into the layer store is the caller's next step.
 */
public final class ImagePuller {

    /** The resolved image and its compressed layer blobs in the store, bottom layer first. */
    public record PulledImage(ResolvedImage image, List<Path> layerBlobs) {
        public PulledImage {
            layerBlobs = List.copyOf(layerBlobs);
        }
    }

    private final ImageResolver resolver;
    private final BlobFetcher fetcher;
    private final BlobStore blobs;
    private final ImageRecordStore records;
    private final int parallelDownloads;
    private final Duration pullTimeout;

    /**
     * @param parallelDownloads layers downloaded at once for one image
     * @param pullTimeout       deadline for downloading an image's layers
     */
    public ImagePuller(ImageResolver resolver, BlobFetcher fetcher, BlobStore blobs, ImageRecordStore records,
                       int parallelDownloads, Duration pullTimeout) {
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("locald.registry.parallel-downloads must be at least 1");
        }
        this.resolver = resolver;
        this.fetcher = fetcher;
        this.blobs = blobs;
        this.records = records;
        this.parallelDownloads = parallelDownloads;
        this.pullTimeout = pullTimeout;
    }

    /**
     * @throws RegistryException    for every registry failure (not found, auth, digest mismatch, …)
     * @throws UncheckedIOException when the local store cannot be written
     */
    public PulledImage pull(ImageReference ref, Optional<RegistryCredential> credential) {
        ResolvedImage image = resolver.resolve(ref, credential);
        List<LayerDescriptor> layers = image.layers();
        List<Path> paths = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelDownloads, layers.size())),
                runnable -> {
                    Thread t = new Thread(runnable, "locald-pull-" + ref.repository());
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<Path>> downloads = new ArrayList<>();
            for (LayerDescriptor layer : layers) {
                downloads.add(pool.submit(() -> blobs.ensure(layer.digest(), layer.size(),
                        fetcher.source(ref, layer.digest(), layer.size(), credential))));
            }
            long deadline = System.nanoTime() + pullTimeout.toNanos();
            for (Future<Path> download : downloads) {
                paths.add(await(ref, download, downloads, deadline));
            }
        } finally {
            pool.shutdownNow();
        }
        try {
            records.save(new ImageRecord(image.ref(), image.manifestDigest(), image.platform(), image.configBytes(),
                    layers, Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the pulled image " + ref, e);
        }
        return new PulledImage(image, paths);
    }

    private Path await(ImageReference ref, Future<Path> download, List<Future<Path>> all, long deadline) {
        try {
            return download.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            all.forEach(f -> f.cancel(true));
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, "pulling " + ref
                    + " did not finish within " + pullTimeout, e);
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
