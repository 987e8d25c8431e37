package dev.locald.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import dev.locald.registry.BlobFetcher;
import dev.locald.registry.ImageResolver;
import dev.locald.registry.RegistryCredentials;
import dev.locald.registry.RegistryHttpClient;
import dev.locald.registry.RegistrySettings;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import dev.locald.store.StoredBlob;
import dev.locald.store.StoredLayer;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The catalog against the real registry and real stores in a temp data dir. */
@ExtendWith(RegistryExtension.class)
class ImageCatalogTest {

    private static final ExtractionLimits LIMITS = new ExtractionLimits(1L << 30, 100_000, 1000, 4096, 1L << 30);

    @TempDir
    Path data;

    BlobStore blobs;
    LayerStore layers;
    ImageRecordStore records;
    ImageLeases leases;
    ImagePuller puller;
    ImageCatalog catalog;

    @BeforeEach
    void open() throws IOException {
        RegistrySettings settings = RegistrySettings.defaults(data.resolve("absent.json"), Set.of());
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        blobs = new BlobStore(data);
        layers = new LayerStore(data);
        records = new ImageRecordStore(data);
        leases = new ImageLeases();
        puller = new ImagePuller(
                new ImageResolver(http, fetcher),
                fetcher,
                blobs,
                layers,
                new LayerExtractor(LIMITS),
                records,
                2,
                Duration.ofMinutes(1),
                Duration.ofMinutes(5),
                Mirrors.NONE);
        catalog = new ImageCatalog(puller, blobs, layers, records, leases);
    }

    static LayerTar base() {
        return LayerTar.create().dir("etc").file("etc/os-release", "ID=test\n");
    }

    @Test
    void pullDescribesTheImageAsCached(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "catalog/described",
                        "1",
                        TestImage.builder()
                                .layer(base())
                                .layer(
                                        LayerTar.create().dir("app").file("app/data", "0123456789"),
                                        TestImage.Compression.ZSTD)
                                .env("CNB_USER_ID=1000")
                                .user("1000:1000")
                                .label("team", "infra")
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/catalog/described:1");

        CachedImage image = catalog.pull(ref, Optional.empty()).image();
        assertEquals(List.of(ref), image.references());
        assertEquals(Digest.parse(pushed.manifestDigest()), image.manifestDigest());
        assertEquals(Digest.parse(pushed.configDigest()), image.configDigest());
        assertEquals("linux/amd64", image.platform());
        assertEquals(
                pushed.layerDigests(),
                image.layers().stream()
                        .map(l -> l.descriptor().digest().toString())
                        .toList());
        assertEquals(
                pushed.diffIds(),
                image.layers().stream()
                        .map(l -> l.descriptor().diffId().toString())
                        .toList());
        assertTrue(image.layers().stream().allMatch(l -> l.blobStored() && l.extracted()));
        assertEquals(8 + 10, image.extractedSize(), "os-release has 8 bytes, app/data 10");
        assertEquals(blobs.totalBytes(), image.compressedSize());
        assertEquals("1000:1000", image.config().user());
        assertEquals(Optional.of("infra"), image.config().label("team"));
        assertFalse(image.inUse());
        assertFalse(image.lastUsed().isBefore(image.pulledAt()));

        assertEquals(
                Optional.of(image.manifestDigest()),
                catalog.find(image.manifestDigest()).map(CachedImage::manifestDigest));
        assertEquals(
                List.of(image.manifestDigest()),
                catalog.list().stream().map(CachedImage::manifestDigest).toList());
        assertEquals(Optional.empty(), catalog.find(Digest.ofBytes("nothing".getBytes())));
    }

    @Test
    void oneImageUnderTwoReferencesIsOneEntryAndOneDeletion(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher()
                .push("catalog/twice", "1", TestImage.builder().layer(base()).build());
        ImageReference byTag = ImageReference.parse(registry.hostPort() + "/catalog/twice:1");
        ImageReference byDigest =
                ImageReference.parse(registry.hostPort() + "/catalog/twice@" + pushed.manifestDigest());
        catalog.pull(byTag, Optional.empty());
        CachedImage both = catalog.pull(byDigest, Optional.empty()).image();
        assertEquals(List.of(byDigest, byTag), both.references(), "most recent pull first");
        assertEquals(1, catalog.list().size());

        ImageCatalog.Removal removal = catalog.delete(both.manifestDigest()).orElseThrow();
        assertEquals(Set.of(byTag, byDigest), Set.copyOf(removal.references()));
        assertEquals(List.of(), records.listAll());
        assertEquals(List.of(), blobs.listAll());
        assertEquals(List.of(), layers.listAll());
        assertEquals(Optional.empty(), catalog.delete(both.manifestDigest()), "deleting again finds nothing");
    }

    @Test
    void deleteRemovesOnlyWhatNoOtherImageUses(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage a = registry.pusher()
                .push(
                        "catalog/a",
                        "1",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("only-a", "a"))
                                .build());
        ImagePusher.PushedImage b = registry.pusher()
                .push(
                        "catalog/b",
                        "1",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("only-b", "b"))
                                .build());
        assertEquals(a.layerDigests().get(0), b.layerDigests().get(0), "the base layer is shared");
        catalog.pull(ImageReference.parse(registry.hostPort() + "/catalog/a:1"), Optional.empty());
        catalog.pull(ImageReference.parse(registry.hostPort() + "/catalog/b:1"), Optional.empty());
        Digest shared = Digest.parse(a.diffIds().get(0));

        ImageCatalog.Removal removal =
                catalog.delete(Digest.parse(a.manifestDigest())).orElseThrow();
        assertEquals(List.of(Digest.parse(a.layerDigests().get(1))), removal.blobsRemoved());
        assertEquals(List.of(Digest.parse(a.diffIds().get(1))), removal.layersRemoved());
        assertEquals(List.of(shared), removal.layersKept());
        assertEquals(Set.of(a.layerDigests().get(0), b.layerDigests().get(1)), blobDigests());
        assertEquals(Set.of(a.diffIds().get(0), b.diffIds().get(1)), layerDiffIds());
        assertEquals("ID=test\n", Files.readString(layers.dirOf(shared).resolve("etc/os-release")));
        assertTrue(catalog.find(Digest.parse(b.manifestDigest())).isPresent());
        assertEquals(0, layers.tempDirCount());
    }

    @Test
    void leasedImageIsNotDeletedAndLeasedLayersAreKept(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage a = registry.pusher()
                .push(
                        "catalog/leased",
                        "1",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("mine", "m"))
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/catalog/leased:1");
        Digest manifest = Digest.parse(a.manifestDigest());
        try (ImageCatalog.LeasedImage leased = catalog.pullLeased(ref, Optional.empty())) {
            assertEquals(manifest, leased.lease().manifestDigest());
            assertTrue(catalog.find(manifest).orElseThrow().inUse());
            ImageInUseException e = assertThrows(ImageInUseException.class, () -> catalog.delete(manifest));
            assertTrue(e.getMessage().contains("running build"), e.getMessage());
            assertEquals(2, layers.listAll().size(), "nothing removed");
            assertTrue(leased.pulled().layerDirs().stream().allMatch(Files::isDirectory));
        }
        // another build holds the top layer through a different image: the layer stays, the rest goes
        Digest mine = Digest.parse(a.diffIds().get(1));
        try (ImageLeases.Lease other = leases.acquire(Digest.ofBytes("other image".getBytes()), List.of(mine))) {
            ImageCatalog.Removal removal = catalog.delete(manifest).orElseThrow();
            assertEquals(List.of(mine), removal.layersKept());
            assertEquals(Set.of(a.diffIds().get(1)), layerDiffIds());
            assertEquals(Set.of(), blobDigests());
            assertEquals(List.of(), records.listAll());
        }
    }

    @Test
    void refusedHostileImageLeavesNothingButWhatOtherImagesUse(TestRegistry registry) throws Exception {
        registry.pusher()
                .push("catalog/good", "1", TestImage.builder().layer(base()).build());
        catalog.pull(ImageReference.parse(registry.hostPort() + "/catalog/good:1"), Optional.empty());
        Set<String> blobsBefore = blobDigests();
        Set<String> layersBefore = layerDiffIds();

        ImagePusher.PushedImage hostile = registry.pusher()
                .push(
                        "catalog/hostile",
                        "1",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("innocent", "fine"))
                                .layer(LayerTar.create().file("ok", "x").file("../escape", "pwned"))
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/catalog/hostile:1");
        LayerRefusedException e = assertThrows(LayerRefusedException.class, () -> catalog.pull(ref, Optional.empty()));
        assertEquals(Digest.parse(hostile.layerDigests().get(2)), e.layer());
        assertTrue(e.reason().contains("../escape"), e.reason());

        assertEquals(blobsBefore, blobDigests(), "the hostile image's own blobs are gone, the shared base stays");
        assertEquals(layersBefore, layerDiffIds(), "its innocent layer is gone too");
        assertEquals(0, blobs.tempFileCount());
        assertEquals(0, layers.tempDirCount());
        assertEquals(1, records.listAll().size());
        assertFalse(Files.exists(data.resolve("escape")));
        assertFalse(Files.exists(data.resolve("layers/escape")));
    }

    @Test
    void rePullingAMovedTagRemovesWhatOnlyTheOldImageUsed(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage v1 = registry.pusher()
                .push(
                        "catalog/moving",
                        "latest",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("v", "1"))
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/catalog/moving:latest");
        catalog.pull(ref, Optional.empty());
        ImagePusher.PushedImage v2 = registry.pusher()
                .push(
                        "catalog/moving",
                        "latest",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("v", "2"))
                                .build());

        CachedImage now = catalog.pull(ref, Optional.empty()).image();
        assertEquals(Digest.parse(v2.manifestDigest()), now.manifestDigest());
        assertEquals(Set.of(v2.diffIds().get(0), v2.diffIds().get(1)), layerDiffIds(), "v1's own layer is gone");
        assertEquals(Set.copyOf(v2.layerDigests()), blobDigests());
        assertEquals(Optional.empty(), catalog.find(Digest.parse(v1.manifestDigest())));

        // the old image stays while another reference still names it
        ImageReference pinned = ImageReference.parse(registry.hostPort() + "/catalog/moving@" + v2.manifestDigest());
        catalog.pull(pinned, Optional.empty());
        registry.pusher()
                .push(
                        "catalog/moving",
                        "latest",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("v", "3"))
                                .build());
        catalog.pull(ref, Optional.empty());
        assertTrue(layerDiffIds().contains(v2.diffIds().get(1)), "v2 is still cached under its digest");
        assertEquals(2, catalog.list().size());
    }

    @Test
    void layersDeletedBetweenPullAndLeaseArePulledAgainUnderTheLease(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher()
                .push(
                        "catalog/raced",
                        "1",
                        TestImage.builder()
                                .layer(base())
                                .layer(LayerTar.create().file("top", "t"))
                                .build());
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/catalog/raced:1");
        ImagePuller.PulledImage pulled = puller.pull(ref, Optional.empty());
        // an operator's DELETE lands after the build's pull but before its lease
        catalog.delete(Digest.parse(pushed.manifestDigest())).orElseThrow();
        assertFalse(pulled.layerDirs().stream().anyMatch(Files::exists));

        try (ImageCatalog.LeasedImage leased = catalog.lease(pulled, Optional.empty())) {
            assertEquals(pulled.layerDirs(), leased.pulled().layerDirs(), "same content, same dirs");
            assertEquals(
                    "t", Files.readString(leased.pulled().layerDirs().get(1).resolve("top")));
            assertTrue(catalog.find(Digest.parse(pushed.manifestDigest()))
                    .orElseThrow()
                    .inUse());
        }
        assertFalse(leases.inUse(Digest.parse(pushed.manifestDigest())));
    }

    private Set<String> blobDigests() throws IOException {
        return blobs.listAll().stream()
                .map(StoredBlob::digest)
                .map(Digest::toString)
                .collect(Collectors.toSet());
    }

    private Set<String> layerDiffIds() throws IOException {
        return layers.listAll().stream()
                .map(StoredLayer::diffId)
                .map(Digest::toString)
                .collect(Collectors.toSet());
    }
}
