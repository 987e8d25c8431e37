package dev.locald.cnb;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.builds.BuildFailure;
import dev.locald.image.ImageReference;
import dev.locald.json.Json;
import dev.locald.lifecycle.BuildpackRef;
import dev.locald.lifecycle.RegistryBuildpack;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Resolves {@code urn:cnb:registry:<namespace>/<name>[@<version>]} through the CNB buildpack registry's HTTP API
 * ({@code locald.buildpacks.registry-url}): {@code <base>/buildpacks/<ns>/<name>} names the {@code latest}
 * version, {@code <base>/buildpacks/<ns>/<name>/<version>} that version's {@code addr}, the buildpackage image by
 * digest. The image is then taken exactly like a {@code docker://} buildpack (docs/api.md, "Buildpacks from the
 * buildpack registry"); the registry is trusted only for the address (docs/security.md).
 */
final class BuildpackRegistry {

    /** Connect and whole-response limit of one registry request. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A registry document is a few KiB; more is not one. */
    static final int MAX_BODY = 1 << 20;

    /** A registry entry resolved: its version and the digest-pinned image that holds it. */
    record Resolved(RegistryBuildpack named, String version, ImageReference image) {
        /** The buildpack the image must hold as its top one: the registry id at the resolved version. */
        BuildpackRef top() {
            return new BuildpackRef(named.id(), Optional.of(version));
        }
    }

    private final String base;
    private final HttpClient http;

    BuildpackRegistry(String registryUrl) {
        URI uri;
        try {
            uri = URI.create(registryUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "locald.buildpacks.registry-url " + BuildpackRef.quote(registryUrl) + " is not a URL", e);
        }
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("locald.buildpacks.registry-url " + BuildpackRef.quote(registryUrl)
                    + " is not an http(s) URL with a host");
        }
        this.base = registryUrl.replaceAll("/+$", "");
        this.http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    String url() {
        return base;
    }

    Resolved resolve(RegistryBuildpack named) throws BuildFailure {
        String entry = base + "/buildpacks/" + named.namespace() + "/" + named.name();
        String version;
        if (named.version().isPresent()) {
            version = named.version().get();
        } else {
            JsonNode latest = get(named, entry, "has no buildpack " + named.id())
                    .path("latest")
                    .path("version");
            if (!latest.isTextual()) {
                throw new BuildFailure(what(named) + ": the buildpack registry at " + base
                        + " answered without a latest version for " + named.id());
            }
            version = latest.textValue();
            try {
                new RegistryBuildpack(named.namespace(), named.name(), Optional.of(version));
            } catch (IllegalArgumentException e) {
                throw new BuildFailure(what(named) + ": the buildpack registry at " + base
                        + " names a latest version that is not valid: " + e.getMessage());
            }
        }
        String at = named.id() + "@" + version;
        JsonNode doc = get(named, entry + "/" + version, "has no buildpack " + at);
        if (doc.path("yanked").asBoolean(false)) {
            throw new BuildFailure(what(named) + ": " + at + " is yanked in the buildpack registry at " + base
                    + "; name another version");
        }
        JsonNode addr = doc.path("addr");
        if (!addr.isTextual()) {
            throw new BuildFailure(what(named) + ": the buildpack registry at " + base + " answered for " + at
                    + " without an image address (addr)");
        }
        ImageReference image;
        try {
            image = ImageReference.parse(addr.textValue());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(what(named) + ": the buildpack registry at " + base + " names for " + at
                    + " the image " + BuildpackRef.quote(addr.textValue()) + ", which is not a valid image reference: "
                    + e.getMessage());
        }
        if (image.digest().isEmpty()) {
            // a tag could be moved under the registry's entry; the digest is what the registry vouches for
            throw new BuildFailure(what(named) + ": the buildpack registry at " + base + " names for " + at
                    + " the image " + image + ", which is not pinned by digest (<image>@sha256:…); it is refused");
        }
        return new Resolved(named, version, image);
    }

    private JsonNode get(RegistryBuildpack named, String url, String notFound) throws BuildFailure {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(TIMEOUT)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(what(named) + ": " + BuildpackRef.quote(url) + " is not a valid URL", e);
        }
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
        } catch (HttpTimeoutException e) {
            throw new BuildFailure(
                    what(named) + ": the buildpack registry at " + base + " did not answer within " + TIMEOUT, e);
        } catch (IOException e) {
            throw new BuildFailure(
                    what(named) + ": the buildpack registry at " + base + " could not be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure(what(named) + ": interrupted while asking the buildpack registry at " + base, e);
        }
        if (response.statusCode() == 404) {
            throw new BuildFailure(what(named) + ": the buildpack registry at " + base + " " + notFound);
        }
        if (response.statusCode() != 200) {
            throw new BuildFailure(what(named) + ": the buildpack registry at " + base + " answered HTTP "
                    + response.statusCode() + " for " + url);
        }
        if (body.length > MAX_BODY) {
            throw new BuildFailure(what(named) + ": the buildpack registry at " + base + " answered more than "
                    + MAX_BODY + " bytes for " + url + ", which is not a registry document");
        }
        JsonNode doc;
        try {
            doc = Json.PLAIN.readTree(body);
        } catch (IOException e) {
            throw new BuildFailure(
                    what(named) + ": the buildpack registry at " + base + " answered invalid JSON for " + url, e);
        }
        if (doc == null || !doc.isObject()) {
            throw new BuildFailure(
                    what(named) + ": the buildpack registry at " + base + " answered no JSON object for " + url);
        }
        return doc;
    }

    private static String what(RegistryBuildpack named) {
        return "the buildpack " + named;
    }
}
