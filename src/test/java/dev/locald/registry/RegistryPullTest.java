package dev.locald.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.Digest;
import dev.locald.image.EnvList;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerCompression;
import dev.locald.image.LayerDescriptor;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecord;
import dev.locald.store.ImageRecordStore;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from a real distribution registry: formats, compressions, indexes, digests, errors. */
@ExtendWith(RegistryExtension.class)
class RegistryPullTest {

    @TempDir
    Path data;

    static TestImage image(boolean docker, String marker) {
        TestImage.Builder b = TestImage.builder()
                .layer(LayerTar.create().dir("etc").file("etc/marker", marker), TestImage.Compression.GZIP)
                .layer(
                        LayerTar.create().file("second", "2"),
                        docker ? TestImage.Compression.GZIP : TestImage.Compression.ZSTD)
                .layer(LayerTar.create().file("third", "3"), TestImage.Compression.NONE)
                .env("PATH=/bin")
                .env("CNB_USER_ID=1000")
                .env("CNB_GROUP_ID=1000")
                .user("1000:1000")
                .workingDir("/layers")
                .label("io.buildpacks.stack.id", "test");
        if (docker) {
            b.dockerFormat();
        }
        return b.build();
    }

    static ImageResolver resolver(Path dockerConfig, Platform platform) {
        RegistrySettings settings = RegistrySettings.defaults(dockerConfig, Set.of())
                .withRetries(1, Duration.ofMillis(10))
                .withPlatform(platform);
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(dockerConfig));
        return new ImageResolver(http, new BlobFetcher(http));
    }

    ImageResolver resolver() {
        return resolver(data.resolve("no-docker-config.json"), Platform.parse("linux/amd64"));
    }

    @Test
    void ociByTagWithGzipZstdAndUncompressedLayers(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher().push("pull/oci", "1", image(false, "oci"));
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/oci:1");
        ResolvedImage resolved = resolver().resolve(ref);

        assertEquals(Digest.parse(pushed.manifestDigest()), resolved.manifestDigest());
        assertArrayEquals(pushed.manifest(), resolved.manifestBytes());
        assertArrayEquals(pushed.config(), resolved.configBytes());
        assertEquals("linux/amd64", resolved.platform());
        assertEquals(Optional.of("1000"), EnvList.value(resolved.config().env(), "CNB_USER_ID"));
        assertEquals(
                List.of(
                        "application/vnd.oci.image.layer.v1.tar+gzip",
                        "application/vnd.oci.image.layer.v1.tar+zstd",
                        "application/vnd.oci.image.layer.v1.tar"),
                resolved.layers().stream().map(LayerDescriptor::mediaType).toList());
        assertEquals(
                List.of(LayerCompression.GZIP, LayerCompression.ZSTD, LayerCompression.NONE),
                resolved.layers().stream().map(LayerDescriptor::compression).toList());
        assertEquals(
                pushed.layerDigests(),
                resolved.layers().stream().map(l -> l.digest().toString()).toList());
        assertEquals(
                pushed.diffIds(),
                resolved.layers().stream().map(l -> l.diffId().toString()).toList());
        assertEquals(ref.withDigest(resolved.manifestDigest()), resolved.pinned());

        // download every layer into the store, verified, and remember the image
        RegistrySettings settings = RegistrySettings.defaults(data.resolve("none.json"), Set.of());
        RegistryHttpClient http = new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig()));
        BlobFetcher fetcher = new BlobFetcher(http);
        BlobStore store = new BlobStore(data);
        for (LayerDescriptor layer : resolved.layers()) {
            Path blob = store.ensure(
                    layer.digest(), layer.size(), fetcher.source(ref, layer.digest(), layer.size(), Optional.empty()));
            assertEquals(layer.digest(), Digest.ofBytes(Files.readAllBytes(blob)));
        }
        assertEquals(resolved.layers().stream().mapToLong(LayerDescriptor::size).sum(), store.totalBytes());
        ImageRecordStore records = new ImageRecordStore(data);
        ImageRecord record = new ImageRecord(
                resolved.pinned(),
                resolved.manifestDigest(),
                resolved.platform(),
                resolved.configBytes(),
                resolved.layers(),
                Instant.now());
        records.save(record);
        assertEquals(List.of(record), records.listAll());

        // fetch into a plain stream as well
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerDescriptor first = resolved.layers().get(0);
        fetcher.fetch(ref, first.digest(), first.size(), Optional.empty(), out);
        assertEquals(first.digest(), Digest.ofBytes(out.toByteArray()));
    }

    @Test
    void byDigest(TestRegistry registry) {
        ImagePusher.PushedImage pushed = registry.pusher().push("pull/bydigest", "1", image(false, "digest"));
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/bydigest@" + pushed.manifestDigest());
        ResolvedImage resolved = resolver().resolve(ref);
        assertEquals(Digest.parse(pushed.manifestDigest()), resolved.manifestDigest());
        assertArrayEquals(pushed.config(), resolved.configBytes());
    }

    @Test
    void dockerV2Schema2(TestRegistry registry) {
        ImagePusher.PushedImage pushed = registry.pusher().push("pull/docker", "v2s2", image(true, "docker"));
        ResolvedImage resolved = resolver().resolve(ImageReference.parse(registry.hostPort() + "/pull/docker:v2s2"));
        assertEquals(Digest.parse(pushed.manifestDigest()), resolved.manifestDigest());
        assertEquals(
                List.of(
                        "application/vnd.docker.image.rootfs.diff.tar.gzip",
                        "application/vnd.docker.image.rootfs.diff.tar.gzip",
                        "application/vnd.docker.image.rootfs.diff.tar"),
                resolved.layers().stream().map(LayerDescriptor::mediaType).toList());
    }

    @Test
    void ociIndexAndDockerListSelectThePlatform(TestRegistry registry) {
        ImagePusher pusher = registry.pusher();
        for (boolean docker : List.of(false, true)) {
            String repo = docker ? "pull/list" : "pull/index";
            ImagePusher.PushedImage amd = pusher.push(repo, "amd64", image(docker, "amd64"));
            TestImage armImage = TestImage.builder()
                    .layer(LayerTar.create().file("arm", "arm64"))
                    .platform("linux", "arm64")
                    .dockerFormat()
                    .build();
            ImagePusher.PushedImage arm = pusher.push(
                    repo,
                    "arm64",
                    docker
                            ? armImage
                            : TestImage.builder()
                                    .layer(LayerTar.create().file("arm", "arm64"))
                                    .platform("linux", "arm64")
                                    .build());
            pusher.pushIndex(
                    repo,
                    "multi",
                    docker,
                    List.of(
                            new ImagePusher.IndexEntry(arm, "linux", "arm64"),
                            new ImagePusher.IndexEntry(amd, "linux", "amd64")));
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/" + repo + ":multi");

            ResolvedImage onAmd = resolver().resolve(ref);
            assertEquals(Digest.parse(amd.manifestDigest()), onAmd.manifestDigest(), repo);
            assertEquals("linux/amd64", onAmd.platform());
            assertArrayEquals(amd.manifest(), onAmd.manifestBytes());

            ResolvedImage onArm = resolver(data.resolve("none.json"), Platform.parse("linux/arm64"))
                    .resolve(ref);
            assertEquals(Digest.parse(arm.manifestDigest()), onArm.manifestDigest(), repo);
            assertEquals("linux/arm64", onArm.platform());

            RegistryException e = assertThrows(
                    RegistryException.class,
                    () -> resolver(data.resolve("none.json"), Platform.parse("linux/s390x"))
                            .resolve(ref));
            assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
            assertEquals(
                    "image " + ref + " has no manifest for platform linux/s390x (available: linux/arm64, linux/amd64)",
                    e.getMessage());
        }
    }

    @Test
    void missingImageAndTagAreNotFound(TestRegistry registry) {
        registry.pusher().push("pull/exists", "1", image(false, "x"));
        for (String name : List.of("/pull/nope:1", "/pull/exists:2", "/pull/exists@sha256:" + "0".repeat(64))) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + name);
            RegistryException e =
                    assertThrows(RegistryException.class, () -> resolver().resolve(ref));
            assertEquals(RegistryException.Kind.NOT_FOUND, e.kind(), e.getMessage());
            assertEquals("image " + ref + " not found", e.getMessage());
        }
    }

    @Test
    void corruptedBlobInTheRegistryIsRefused(TestRegistry registry) throws Exception {
        ImagePusher.PushedImage pushed = registry.pusher().push("pull/corrupt", "1", image(false, "corrupt"));
        ImageReference ref = ImageReference.parse(registry.hostPort() + "/pull/corrupt:1");
        ResolvedImage resolved = resolver().resolve(ref);
        LayerDescriptor layer = resolved.layers().get(0);
        Path data;
        try (Stream<Path> files = Files.walk(registry.storageDir())) {
            data = files.filter(p -> p.endsWith(Path.of(layer.digest().hex(), "data")))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(data, bytes);

        BlobStore store = new BlobStore(this.data);
        RegistrySettings settings = RegistrySettings.defaults(this.data.resolve("none.json"), Set.of());
        BlobFetcher fetcher =
                new BlobFetcher(new RegistryHttpClient(settings, new RegistryCredentials(settings.dockerConfig())));
        RegistryException e = assertThrows(
                RegistryException.class,
                () -> store.ensure(
                        layer.digest(),
                        layer.size(),
                        fetcher.source(ref, layer.digest(), layer.size(), Optional.empty())));
        assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
        assertTrue(e.getMessage().startsWith("blob " + layer.digest() + " does not match its digest"), e.getMessage());
        assertEquals(Optional.empty(), store.find(layer.digest()));
        assertEquals(0, store.tempFileCount());
        assertTrue(pushed.layerDigests().contains(layer.digest().toString()));
    }
}
