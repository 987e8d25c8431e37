package dev.locald.bench;

import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.ImageReference;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import dev.locald.pull.ImagePuller;
import dev.locald.registry.BlobFetcher;
import dev.locald.registry.ImageResolver;
import dev.locald.registry.RegistryCredentials;
import dev.locald.registry.RegistryHttpClient;
import dev.locald.registry.RegistrySettings;
import dev.locald.rootfs.AssembledRootfs;
import dev.locald.rootfs.RootfsAssembler;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Benchmark (run by {@code bench/pull-assemble.sh}, not a test): locald's cold pull + assemble of an
 * image, and warm assembly of images already in the store, timed inside one warm JVM as the service
 * runs. Arguments: {@code cold|warm} image-reference runs data-dir.
 */
public final class PullAssembleBench {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        ImageReference ref = ImageReference.parse(args[1]);
        int runs = Integer.parseInt(args[2]);
        Path data = Path.of(args[3]);
        RootfsAssembler assembler = new RootfsAssembler(LocaldConfig.Rootfs.OverlayMode.AUTO);
        List<Double> millis = new ArrayList<>();
        if (mode.equals("cold")) {
            // one untimed pull warms the JVM (class loading, TLS, JIT) as a running service already is
            pullAndAssemble(ref, data, assembler);
            for (int i = 0; i < runs; i++) {
                TreeDeleter.deleteTree(data);
                dropCaches();
                long start = System.nanoTime();
                pullAndAssemble(ref, data, assembler);
                millis.add((System.nanoTime() - start) / 1e6);
            }
        } else {
            ImagePuller.PulledImage pulled = puller(data).pull(ref, Optional.empty());
            Path work = Files.createDirectories(data.resolve("bench-work"));
            for (int i = 0; i < runs + 3; i++) {
                long start = System.nanoTime();
                try (AssembledRootfs rootfs = assembler.assemble(pulled.layerDirs(), work)) {
                    if (!Files.isDirectory(rootfs.root())) {
                        throw new IllegalStateException("no root");
                    }
                }
                if (i >= 3) {
                    millis.add((System.nanoTime() - start) / 1e6);
                }
            }
        }
        Collections.sort(millis);
        System.out.printf(
                "locald %s %s: median %.1f ms [min %.1f – max %.1f], n=%d, %d layers%n",
                mode,
                ref,
                millis.get(millis.size() / 2),
                millis.get(0),
                millis.get(millis.size() - 1),
                millis.size(),
                puller(data).pull(ref, Optional.empty()).layerDirs().size());
    }

    private static void pullAndAssemble(ImageReference ref, Path data, RootfsAssembler assembler) throws Exception {
        ImagePuller.PulledImage pulled = puller(data).pull(ref, Optional.empty());
        try (AssembledRootfs rootfs =
                assembler.assemble(pulled.layerDirs(), Files.createDirectories(data.resolve("bench-work")))) {
            if (!Files.isDirectory(rootfs.root().resolve("usr"))) {
                throw new IllegalStateException("assembled root has no /usr");
            }
        }
    }

    private static ImagePuller puller(Path data) throws Exception {
        RegistrySettings settings = RegistrySettings.defaults(data.resolve("no-docker-config.json"), Set.of());
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        return new ImagePuller(
                new ImageResolver(http, fetcher),
                fetcher,
                new BlobStore(data),
                new LayerStore(data),
                new LayerExtractor(new ExtractionLimits(16L << 30, 1_000_000, 1000, 4096, 8L << 30)),
                new ImageRecordStore(data),
                4,
                Duration.ofMinutes(10),
                Duration.ofMinutes(5),
                dev.locald.pull.Mirrors.NONE);
    }

    private static void dropCaches() throws Exception {
        new ProcessBuilder("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches")
                .inheritIO()
                .start()
                .waitFor();
    }
}
