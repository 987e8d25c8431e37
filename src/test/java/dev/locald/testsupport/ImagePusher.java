package dev.locald.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Publishes {@link TestImage}s to a registry over the plain distribution API (java.net.http), so that
 * tests never depend on locald's own registry code to create their inputs.
 */
public final class ImagePusher {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public ImagePusher(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    /** What was published: digests a test can check against. */
    public record PushedImage(
            String reference,
            String manifestDigest,
            String configDigest,
            List<String> layerDigests,
            List<String> diffIds,
            byte[] manifest,
            byte[] config) {}

    /** Pushes the image as {@code repository:tag} (repository without the registry host). */
    public PushedImage push(String repository, String tag, TestImage image) {
        List<String> diffIds = new ArrayList<>();
        ArrayNode layers = JSON.createArrayNode();
        List<String> layerDigests = new ArrayList<>();
        for (TestImage.Layer layer : image.layers()) {
            diffIds.add(digest(layer.tar()));
            byte[] blob = compress(layer.tar(), layer.compression());
            String digest = uploadBlob(repository, blob);
            layerDigests.add(digest);
            layers.add(descriptor(layerMediaType(layer.compression(), image.dockerFormat()), digest, blob.length));
        }
        byte[] config = config(image, diffIds);
        String configDigest = uploadBlob(repository, config);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", image.dockerFormat() ? DOCKER_MANIFEST : OCI_MANIFEST);
        manifest.set(
                "config",
                descriptor(
                        image.dockerFormat()
                                ? "application/vnd.docker.container.image.v1+json"
                                : "application/vnd.oci.image.config.v1+json",
                        configDigest,
                        config.length));
        manifest.set("layers", layers);
        byte[] manifestBytes = bytes(manifest);
        String manifestDigest =
                putManifest(repository, tag, image.dockerFormat() ? DOCKER_MANIFEST : OCI_MANIFEST, manifestBytes);
        return new PushedImage(
                repository + ":" + tag, manifestDigest, configDigest, layerDigests, diffIds, manifestBytes, config);
    }

    /** An entry of an index: a manifest already pushed to the same repository, and its platform. */
    public record IndexEntry(PushedImage image, String os, String architecture) {}

    /** Pushes an OCI index (or Docker manifest list) naming manifests already in the repository. */
    public String pushIndex(String repository, String tag, boolean dockerFormat, List<IndexEntry> entries) {
        ArrayNode manifests = JSON.createArrayNode();
        for (IndexEntry entry : entries) {
            ObjectNode descriptor = descriptor(
                    mediaTypeOf(entry.image().manifest()),
                    entry.image().manifestDigest(),
                    entry.image().manifest().length);
            ObjectNode platform = descriptor.putObject("platform");
            platform.put("os", entry.os());
            platform.put("architecture", entry.architecture());
            manifests.add(descriptor);
        }
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", dockerFormat ? DOCKER_LIST : OCI_INDEX);
        index.set("manifests", manifests);
        return putManifest(repository, tag, dockerFormat ? DOCKER_LIST : OCI_INDEX, bytes(index));
    }

    /** Puts raw manifest bytes, for tests that need a manifest locald must refuse. */
    public String putManifest(String repository, String reference, String mediaType, byte[] manifest) {
        HttpResponse<String> response = send(request(baseUrl + "/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                .build());
        expect(response, 201, "manifest PUT");
        return digest(manifest);
    }

    /** Uploads one blob (monolithic upload) unless the registry already has it; returns its digest. */
    public String uploadBlob(String repository, byte[] blob) {
        String digest = digest(blob);
        HttpResponse<String> head = send(request(baseUrl + "/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        if (head.statusCode() == 200) {
            return digest;
        }
        HttpResponse<String> start = send(request(baseUrl + "/v2/" + repository + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        expect(start, 202, "blob upload start");
        String location = start.headers().firstValue("Location").orElseThrow();
        URI target = URI.create(baseUrl + "/").resolve(location);
        String separator = target.getQuery() == null ? "?" : "&";
        HttpResponse<String> put = send(request(target + separator + "digest=" + digest)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                .build());
        expect(put, 201, "blob upload");
        return digest;
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static byte[] config(TestImage image, List<String> diffIds) {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", image.architecture());
        root.put("os", image.os());
        root.put("created", "2024-01-01T00:00:00Z");
        ObjectNode config = root.putObject("config");
        if (!image.env().isEmpty()) {
            image.env().forEach(config.putArray("Env")::add);
        }
        if (!image.user().isEmpty()) {
            config.put("User", image.user());
        }
        if (!image.workingDir().isEmpty()) {
            config.put("WorkingDir", image.workingDir());
        }
        if (!image.entrypoint().isEmpty()) {
            image.entrypoint().forEach(config.putArray("Entrypoint")::add);
        }
        if (!image.cmd().isEmpty()) {
            image.cmd().forEach(config.putArray("Cmd")::add);
        }
        if (!image.labels().isEmpty()) {
            ObjectNode labels = config.putObject("Labels");
            image.labels().entrySet().stream()
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> labels.put(e.getKey(), e.getValue()));
        }
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        diffIds.forEach(rootfs.putArray("diff_ids")::add);
        return bytes(root);
    }

    private static String layerMediaType(TestImage.Compression compression, boolean docker) {
        if (docker) {
            return compression == TestImage.Compression.NONE
                    ? "application/vnd.docker.image.rootfs.diff.tar"
                    : "application/vnd.docker.image.rootfs.diff.tar.gzip";
        }
        return switch (compression) {
            case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
            case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
            case NONE -> "application/vnd.oci.image.layer.v1.tar";
        };
    }

    private static String mediaTypeOf(byte[] manifest) {
        try {
            return JSON.readTree(manifest).path("mediaType").asText(OCI_MANIFEST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", mediaType);
        node.put("digest", digest);
        node.put("size", size);
        return node;
    }

    public static byte[] compress(byte[] tar, TestImage.Compression compression) {
        return switch (compression) {
            case NONE -> tar;
            case ZSTD -> Zstd.compress(tar, 3);
            case GZIP -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                    gzip.write(tar);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield out.toByteArray();
            }
        };
    }

    private static byte[] bytes(Object node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String digest(byte[] content) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
