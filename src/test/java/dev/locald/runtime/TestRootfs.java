package dev.locald.runtime;

import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * TEMPORARY TEST EQUIPMENT, to be replaced by the real pull + LayerExtractor + RootfsAssembler once
 * those land: materializes an image pushed to the test registry as a plain rootfs directory by
 * downloading each layer blob over the distribution API and unpacking it with GNU tar. It does none of
 * the hardening of the real extractor; the images it unpacks are the tests' own.
 */
final class TestRootfs {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestRootfs() {}

    /** Unpacks every layer of {@code image} (gzip-compressed, bottom to top) into a new {@code target}. */
    static Path unpack(TestRegistry registry, ImagePusher.PushedImage image, Path target)
            throws IOException, InterruptedException {
        Files.createDirectories(target);
        String repository = image.reference().substring(0, image.reference().lastIndexOf(':'));
        for (String digest : image.layerDigests()) {
            Path blob = target.resolveSibling(target.getFileName() + ".layer");
            HttpResponse<InputStream> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/v2/" + repository + "/blobs/" + digest))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("blob " + digest + " answered " + response.statusCode());
            }
            try (InputStream body = response.body()) {
                Files.copy(body, blob, StandardCopyOption.REPLACE_EXISTING);
            }
            Process tar = new ProcessBuilder(
                            "tar", "--numeric-owner", "--same-owner", "-xpzf", blob.toString(), "-C", target.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(tar.getInputStream().readAllBytes());
            if (tar.waitFor() != 0) {
                throw new IOException("tar failed: " + output);
            }
            Files.delete(blob);
        }
        return target;
    }
}
