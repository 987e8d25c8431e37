package dev.locald.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The test equipment itself: a registry process that stores what the pusher sends, and auth that bites. */
class TestRegistryTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void pushedManifestIsServedBackByDigest() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            ImagePusher.PushedImage image = registry.pusher()
                    .push(
                            "smoke/busybox",
                            "1",
                            TestImage.builder()
                                    .layer(LayerTar.create().busybox())
                                    .build());
            HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    registry.url() + "/v2/smoke/busybox/manifests/" + image.manifestDigest()))
                            .header("Accept", ImagePusher.OCI_MANIFEST)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals(image.manifestDigest(), ImagePusher.digest(response.body()));
        }
    }

    @Test
    void authRegistryRefusesAnonymousAndAcceptsItsUser() throws Exception {
        try (TestRegistry registry = TestRegistry.startWithAuth("ci", "pw")) {
            HttpResponse<Void> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/v2/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(401, anonymous.statusCode());
            HttpResponse<Void> authed = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/v2/"))
                            .header("Authorization", registry.authorization())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(200, authed.statusCode());
        }
    }
}
