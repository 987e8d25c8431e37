package dev.locald.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import dev.locald.registry.BlobFetcher;
import dev.locald.registry.ImageResolver;
import dev.locald.registry.RegistryCredentials;
import dev.locald.registry.RegistryException;
import dev.locald.registry.RegistryHttpClient;
import dev.locald.registry.RegistrySettings;
import dev.locald.rootfs.AssembledRootfs;
import dev.locald.rootfs.RootfsAssembler;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.SampleImages;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import dev.locald.testsupport.TreeListing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Registry → blob store → extracted layers → overlay, against the real registry, checked against umoci. */
@ExtendWith(RegistryExtension.class)
class ImagePullerTest {

    private static final ExtractionLimits LIMITS = new ExtractionLimits(1L << 30, 100_000, 1000, 4096, 1L << 30);

    @TempDir
    Path data;

    ImagePuller puller() throws IOException {
        RegistrySettings settings = RegistrySettings.defaults(data.resolve("absent.json"), Set.of());
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        return new ImagePuller(
                new ImageResolver(http, fetcher),
                fetcher,
                new BlobStore(data),
                new LayerStore(data),
                new LayerExtractor(LIMITS),
                new ImageRecordStore(data),
                2,
                Duration.ofMinutes(1),
                Duration.ofMinutes(5),
                Mirrors.NONE);
    }

    @Test
    void pulledAndAssembledTreeEqualsUmociUnpackOfTheSameImage(TestRegistry registry) throws Exception {
        TestImage.Builder image = TestImage.builder();
        // umoci cannot read zstd layers, so the peer comparison uses gzip and plain ones
        SampleImages.whiteoutsLinksAndOwners()
                .forEach(l -> image.layer(
                        l.tar(),
                        l.compression() == TestImage.Compression.ZSTD ? TestImage.Compression.GZIP : l.compression()));
        registry.pusher().push("pull/sample", "1", image.build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/sample:1");

        ImagePuller.PulledImage pulled = puller().pull(ref, Optional.empty());
        assertEquals(3, pulled.layerDirs().size());
        SortedMap<String, String> umoci = umociUnpack(registry, "pull/sample:1");
        assertTrue(umoci.containsKey("/opt/app/new1") && !umoci.containsKey("/opt/app/old1"), umoci.toString());
        try (AssembledRootfs rootfs = new RootfsAssembler(LocaldConfig.Rootfs.OverlayMode.TRUE)
                .assemble(pulled.layerDirs(), Files.createDirectory(data.resolve("overlay")))) {
            assertEquals(umoci, TreeListing.of(rootfs.root()), "overlay view differs from umoci");
        }
        try (AssembledRootfs rootfs = new RootfsAssembler(LocaldConfig.Rootfs.OverlayMode.FALSE)
                .assemble(pulled.layerDirs(), Files.createDirectory(data.resolve("copy")))) {
            assertEquals(umoci, TreeListing.of(rootfs.root()), "copy fallback differs from umoci");
        }
    }

    @Test
    void concurrentPullsShareOneDownloadAndExtractionPerLayer(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "pull/app",
                        "1",
                        TestImage.builder()
                                .layer(LayerTar.create().dir("a").file("a/one", "1"))
                                .layer(LayerTar.create().dir("b").file("b/two", "2"), TestImage.Compression.ZSTD)
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/app:1");
        ImagePuller puller = puller();
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<ImagePuller.PulledImage>> pulls = List.of(
                    callers.submit(() -> puller.pull(ref, Optional.empty())),
                    callers.submit(() -> puller.pull(ref, Optional.empty())),
                    callers.submit(() -> puller.pull(ref, Optional.empty())));
            for (Future<ImagePuller.PulledImage> pull : pulls) {
                List<Path> dirs = pull.get().layerDirs();
                assertEquals("1", Files.readString(dirs.get(0).resolve("a/one")));
                assertEquals("2", Files.readString(dirs.get(1).resolve("b/two")));
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(2, new BlobStore(data).listAll().size());
        assertEquals(2, new LayerStore(data).listAll().size());
        assertEquals(
                Digest.parse(pushed.manifestDigest()),
                new ImageRecordStore(data).find(ref).orElseThrow().manifestDigest());
    }

    @Test
    void extractedLayersNeedNoBlobOnTheNextPull(TestRegistry registry) throws Exception {
        registry.pusher()
                .push(
                        "pull/warm",
                        "1",
                        TestImage.builder()
                                .layer(LayerTar.create().file("f", "content"))
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/warm:1");
        ImagePuller.PulledImage first = puller().pull(ref, Optional.empty());
        BlobStore blobs = new BlobStore(data);
        blobs.listAll().forEach(b -> {
            try {
                blobs.delete(b.digest());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ImagePuller.PulledImage second = puller().pull(ref, Optional.empty());
        assertEquals(first.layerDirs(), second.layerDirs());
        assertEquals(0, blobs.listAll().size(), "a layer already extracted was downloaded again");
    }

    @Test
    void layerWhoseDiffIdIsWrongLeavesNoLayerBehind(TestRegistry registry) throws Exception {
        byte[] tar = LayerTar.create().file("f", "real").toBytes();
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "pull/liar",
                        "1",
                        TestImage.builder()
                                .layer(tar, TestImage.Compression.GZIP)
                                .build());
        // re-push the manifest with a config whose diff_id names other content
        String config = new String(pushed.config(), StandardCharsets.UTF_8)
                .replace(
                        pushed.diffIds().get(0),
                        Digest.ofBytes("other".getBytes()).toString());
        String configDigest = registry.pusher().uploadBlob("pull/liar", config.getBytes(StandardCharsets.UTF_8));
        String manifest = new String(pushed.manifest(), StandardCharsets.UTF_8)
                .replace(pushed.configDigest(), configDigest)
                .replace("\"size\":" + pushed.config().length, "\"size\":" + config.length());
        registry.pusher()
                .putManifest("pull/liar", "1", ImagePusher.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));

        LayerRefusedException e = assertThrows(
                LayerRefusedException.class,
                () -> puller().pull(ImageReference.parse(registry.hostPort() + "/pull/liar:1"), Optional.empty()));
        assertEquals(Digest.parse(pushed.layerDigests().get(0)), e.layer());
        assertTrue(e.getMessage().contains("DiffID") || e.getMessage().contains("diff"), e.getMessage());
        assertEquals(0, new LayerStore(data).listAll().size());
        assertEquals(0, new LayerStore(data).tempDirCount());
        assertEquals(List.of(), new ImageRecordStore(data).listAll());
    }

    @Test
    void droppedDeviceNodesAreWarningsNamingTheLayerBoundedInNumber(TestRegistry registry) throws Exception {
        LayerTar devices = LayerTar.create().dir("dev").charDevice("dev/mem", 1, 1);
        for (int i = 0; i < 24; i++) {
            devices.fifo("dev/fifo" + i);
        }
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "pull/devices",
                        "1",
                        TestImage.builder()
                                .layer(LayerTar.create().file("plain", "p"))
                                .layer(devices)
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/devices:1");

        List<String> warnings = puller().pull(ref, Optional.empty()).warnings();
        assertEquals(ImagePuller.MAX_WARNINGS + 1, warnings.size(), warnings.toString());
        assertTrue(
                warnings.get(0).startsWith("layer " + pushed.layerDigests().get(1) + ": ")
                        && warnings.get(0).contains("device 'dev/mem'"),
                warnings.get(0));
        assertEquals("… and 5 more warnings", warnings.get(ImagePuller.MAX_WARNINGS));
        // the layer is in the store now: a later pull extracts nothing and has nothing to report
        assertEquals(List.of(), puller().pull(ref, Optional.empty()).warnings());
    }

    @Test
    void aSparseLayerIsRefusedAndLeavesNoLayerBehind(TestRegistry registry) throws Exception {
        byte[] tar = dev.locald.testsupport.RawTar.create()
                .paxSparse01("big", 1L << 30, "tail".getBytes(StandardCharsets.UTF_8))
                .toBytes();
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "pull/sparse",
                        "1",
                        TestImage.builder()
                                .layer(tar, TestImage.Compression.GZIP)
                                .build());
        LayerRefusedException e = assertThrows(
                LayerRefusedException.class,
                () -> puller().pull(ImageReference.parse(registry.hostPort() + "/pull/sparse:1"), Optional.empty()));
        assertEquals(Digest.parse(pushed.layerDigests().get(0)), e.layer());
        assertTrue(e.reason().contains("'big' is a sparse file"), e.reason());
        assertEquals(0, new LayerStore(data).listAll().size());
        assertEquals(0, new LayerStore(data).tempDirCount());
    }

    @Test
    void missingImageFailsWithoutRecord(TestRegistry registry) throws Exception {
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/missing:1");
        assertEquals(
                RegistryException.Kind.NOT_FOUND,
                assertThrows(RegistryException.class, () -> puller().pull(ref, Optional.empty()))
                        .kind());
        assertEquals(List.of(), new ImageRecordStore(data).listAll());
    }

    /** skopeo copies the image from the registry to an OCI layout, umoci unpacks it: the peers' view. */
    private SortedMap<String, String> umociUnpack(TestRegistry registry, String repoAndTag) throws Exception {
        Path dir = Files.createDirectory(data.resolve("umoci"));
        run(
                "skopeo",
                "copy",
                "-q",
                // signatures are not compared, and reading them wants /var/lib/containers as root
                "--remove-signatures",
                "--src-tls-verify=false",
                "docker://" + registry.hostPort() + "/" + repoAndTag,
                "oci:" + dir.resolve("layout") + ":x");
        run(
                "umoci",
                "unpack",
                "--image",
                dir.resolve("layout") + ":x",
                dir.resolve("bundle").toString());
        SortedMap<String, String> listing = TreeListing.of(dir.resolve("bundle/rootfs"));
        TreeDeleter.deleteTree(dir);
        return listing;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
