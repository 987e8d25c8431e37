package dev.locald.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/** {@code POST /builds} as a CI client sends it: a multipart body with the {@code build} JSON and the source tar. */
public final class MultipartBuild {

    private MultipartBuild() {}

    public static HttpRequest request(URI locald, String buildJson, byte[] sourceTar) {
        String boundary = "locald-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"build\"\r\n"
                        + "Content-Type: application/json\r\n\r\n" + buildJson + "\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"source\"; filename=\"app.tar\"\r\n"
                        + "Content-Type: application/x-tar\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(sourceTar);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(locald.resolve("/builds"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build();
    }
}
