package dev.locald.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.image.Digest;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerCompression;
import dev.locald.image.LayerDescriptor;
import dev.locald.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Resolves an image reference to one platform manifest and its verified config: follows an OCI index or
 * Docker manifest list to the configured platform, refuses manifests over the size limit before reading
 * them whole, checks every manifest against the digest it was asked by (and the registry's
 * {@code Docker-Content-Digest}), and the config against its descriptor's digest and size. Layer media
 * types come from the raw manifest JSON.
 */
public final class ImageResolver {

    private static final Logger LOG = Logger.getLogger(ImageResolver.class);
    private static final ObjectMapper JSON = Json.PLAIN;
    private static final int MAX_LAYERS = 1000;
    private static final int MAX_INDEX_DEPTH = 2;

    private final RegistryHttpClient http;
    private final BlobFetcher blobs;

    public ImageResolver(RegistryHttpClient http, BlobFetcher blobs) {
        this.http = http;
        this.blobs = blobs;
    }

    /** Resolves with credentials from docker config only. */
    public ResolvedImage resolve(ImageReference ref) {
        return resolve(ref, Optional.empty());
    }

    /** Resolves the image; {@code credential} (given with a request) takes precedence over docker config. */
    public ResolvedImage resolve(ImageReference ref, Optional<RegistryCredential> credential) {
        Platform wanted = http.settings().platform();
        Fetched fetched = fetchManifest(ref, ref.manifestReference(), ref.digest(), -1, credential);
        Optional<String> indexPlatform = Optional.empty();
        for (int depth = 0; fetched.isIndex(); depth++) {
            if (depth >= MAX_INDEX_DEPTH) {
                throw new RegistryException(
                        RegistryException.Kind.UNSUPPORTED,
                        "image " + ref + " nests image indexes more than " + MAX_INDEX_DEPTH + " deep");
            }
            Entry entry = selectPlatform(ref, fetched.json(), wanted);
            indexPlatform = Optional.of(entry.platform());
            fetched = fetchManifest(
                    ref, entry.digest().toString(), Optional.of(entry.digest()), entry.size(), credential);
        }
        JsonNode manifest = fetched.json();
        JsonNode configDescriptor = manifest.path("config");
        Digest configDigest = digestField(ref, configDescriptor, "config");
        long configSize = sizeField(ref, configDescriptor, "config");
        String configType = configDescriptor.path("mediaType").asText("");
        if (!MediaTypes.IMAGE_CONFIGS.contains(configType)) {
            // an OCI artifact (a Helm chart, a signature, an SBOM) reuses the manifest format but is no image
            throw new RegistryException(
                    RegistryException.Kind.UNSUPPORTED,
                    "image " + ref + " is not a container image: its config has media type '" + configType + "', not "
                            + MediaTypes.OCI_CONFIG + " or " + MediaTypes.DOCKER_CONFIG);
        }
        long maxConfig = http.settings().maxConfigBytes();
        if (configSize > maxConfig) {
            throw new RegistryException(
                    RegistryException.Kind.TOO_LARGE,
                    "config of image " + ref + " is " + configSize + " bytes, over the limit of " + maxConfig);
        }
        byte[] configBytes = blobs.fetchBytes(ref, configDigest, configSize, credential);
        ImageConfig config;
        try {
            config = ImageConfig.parse(configBytes);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(RegistryException.Kind.INVALID, "image " + ref + ": " + e.getMessage(), e);
        }
        checkConfigPlatform(ref, config, wanted, indexPlatform);
        List<LayerDescriptor> layers = layers(ref, manifest, config);
        String platform = indexPlatform.orElseGet(() -> configPlatform(configBytes, config, wanted));
        return new ResolvedImage(ref, fetched.digest(), platform, fetched.bytes(), configBytes, config, layers);
    }

    /**
     * The config's own os/architecture must be the platform builds run on: a single manifest (no index to
     * choose from) of a windows or arm64 image would otherwise be cached and offered to builds. Fields the
     * config leaves empty are not held against it.
     */
    private static void checkConfigPlatform(
            ImageReference ref, ImageConfig config, Platform wanted, Optional<String> indexPlatform) {
        boolean osDiffers = !config.os().isEmpty() && !config.os().equals(wanted.os());
        boolean archDiffers =
                !config.architecture().isEmpty() && !config.architecture().equals(wanted.architecture());
        if (osDiffers || archDiffers) {
            throw new RegistryException(
                    RegistryException.Kind.UNSUPPORTED,
                    "image " + ref + " is for platform " + config.os() + "/" + config.architecture()
                            + indexPlatform
                                    .map(p -> " (its index entry says " + p + ")")
                                    .orElse("")
                            + ", not " + wanted + " which locald builds on");
        }
    }

    private List<LayerDescriptor> layers(ImageReference ref, JsonNode manifest, ImageConfig config) {
        JsonNode layerNodes = manifest.path("layers");
        if (!layerNodes.isArray()) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "manifest of image " + ref + " has no layers array");
        }
        if (layerNodes.size() > MAX_LAYERS) {
            throw new RegistryException(
                    RegistryException.Kind.TOO_LARGE,
                    "image " + ref + " has " + layerNodes.size() + " layers, more than " + MAX_LAYERS);
        }
        if (layerNodes.size() != config.diffIds().size()) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "image " + ref + " lists " + layerNodes.size() + " layers in its manifest but "
                            + config.diffIds().size() + " diff_ids in its config");
        }
        List<LayerDescriptor> layers = new ArrayList<>();
        for (int i = 0; i < layerNodes.size(); i++) {
            JsonNode node = layerNodes.get(i);
            String mediaType = node.path("mediaType").asText("");
            Digest digest = digestField(ref, node, "layers[" + i + "]");
            if (!LayerCompression.isKnown(mediaType)) {
                throw new RegistryException(
                        RegistryException.Kind.UNSUPPORTED,
                        "layer " + digest + " of image " + ref + " has unsupported media type '" + mediaType + "'");
            }
            // descriptor "urls" (foreign layers) are deliberately ignored: blobs come from the registry only
            layers.add(new LayerDescriptor(
                    digest,
                    sizeField(ref, node, "layers[" + i + "]"),
                    mediaType,
                    config.diffIds().get(i)));
        }
        return layers;
    }

    private record Fetched(Digest digest, byte[] bytes, JsonNode json, String mediaType) {
        boolean isIndex() {
            return MediaTypes.INDEXES.contains(mediaType);
        }
    }

    private record Entry(Digest digest, long size, String platform) {}

    private Fetched fetchManifest(
            ImageReference ref,
            String reference,
            Optional<Digest> expected,
            long expectedSize,
            Optional<RegistryCredential> credential) {
        long max = http.settings().maxManifestBytes();
        if (expectedSize > max) {
            throw new RegistryException(
                    RegistryException.Kind.TOO_LARGE,
                    "manifest " + reference + " of image " + ref + " is " + expectedSize + " bytes, over the limit of "
                            + max);
        }
        record Raw(byte[] bytes, Optional<String> contentType, Optional<String> digestHeader) {}
        Raw raw = http.fetch(ref, "manifests/" + reference, MediaTypes.ACCEPT, credential, "image " + ref, response -> {
            long announced = response.contentLength();
            if (announced > max) {
                throw tooLarge(ref, max);
            }
            byte[] bytes;
            try (InputStream in = response.body()) {
                bytes = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
            }
            if (bytes.length > max) {
                throw tooLarge(ref, max);
            }
            return new Raw(bytes, response.header("Content-Type"), response.header("Docker-Content-Digest"));
        });
        byte[] bytes = raw.bytes();
        Digest actual = Digest.ofBytes(bytes);
        if (expectedSize >= 0 && bytes.length != expectedSize) {
            throw new RegistryException(
                    RegistryException.Kind.DIGEST_MISMATCH,
                    "manifest " + reference + " of image " + ref + " has " + bytes.length
                            + " bytes but its descriptor states " + expectedSize);
        }
        if (expected.isPresent() && !expected.get().equals(actual)) {
            throw new RegistryException(
                    RegistryException.Kind.DIGEST_MISMATCH,
                    "manifest of image " + ref + " does not match its digest " + expected.get() + " (content hashes to "
                            + actual + ")");
        }
        if (raw.digestHeader()
                .filter(h -> h.startsWith("sha256:"))
                .filter(h -> !h.equals(actual.toString()))
                .isPresent()) {
            throw new RegistryException(
                    RegistryException.Kind.DIGEST_MISMATCH,
                    "manifest of image " + ref + " does not match the digest the registry states ("
                            + raw.digestHeader().get() + ")");
        }
        JsonNode json;
        try {
            json = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "manifest of image " + ref + " is not valid JSON");
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Kind.INVALID, "manifest of image " + ref + " cannot be read");
        }
        if (json == null || !json.isObject()) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "manifest of image " + ref + " is not a JSON object");
        }
        String mediaType = mediaTypeOf(ref, json, raw.contentType());
        return new Fetched(actual, bytes, json, mediaType);
    }

    private static RegistryException tooLarge(ImageReference ref, long max) {
        return new RegistryException(
                RegistryException.Kind.TOO_LARGE,
                "manifest of image " + ref + " is larger than the limit of " + max + " bytes");
    }

    /** The manifest's own mediaType wins over Content-Type; without either the structure decides. */
    private static String mediaTypeOf(ImageReference ref, JsonNode json, Optional<String> contentType) {
        if (json.path("schemaVersion").asInt(-1) == 1) {
            throw new RegistryException(
                    RegistryException.Kind.UNSUPPORTED,
                    "image " + ref + " uses the Docker schema 1 manifest format, which locald does not read");
        }
        if (json.path("schemaVersion").asInt(-1) != 2) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "manifest of image " + ref + " has no schemaVersion 2");
        }
        String declared = json.path("mediaType").asText("");
        String served = contentType.map(c -> c.split(";", 2)[0].strip()).orElse("");
        if (!declared.isEmpty() && served.startsWith("application/vnd.") && !declared.equals(served)) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "manifest of image " + ref + " declares mediaType '" + declared
                            + "' but the registry served it as '"
                            + served + "'; the OCI image spec requires the two to match (CVE-2021-41190), so locald"
                            + " refuses the ambiguous document");
        }
        String type = declared.isEmpty() ? served : declared;
        if (type.isEmpty() || type.equals("application/json") || type.equals("application/octet-stream")) {
            type = json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (type.equals(MediaTypes.DOCKER_V1) || type.equals(MediaTypes.DOCKER_V1_SIGNED)) {
            throw new RegistryException(
                    RegistryException.Kind.UNSUPPORTED,
                    "image " + ref + " uses the Docker schema 1 manifest format, which locald does not read");
        }
        if (!MediaTypes.INDEXES.contains(type) && !MediaTypes.MANIFESTS.contains(type)) {
            throw new RegistryException(
                    RegistryException.Kind.UNSUPPORTED,
                    "image " + ref + " has a manifest of unsupported media type '" + type + "'");
        }
        // one digest must not read as an index to one client and as a manifest to another
        boolean indexFields = json.has("manifests");
        boolean manifestFields = json.has("layers") || json.has("config");
        if (indexFields && manifestFields) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "manifest of image " + ref + " has both 'manifests' and '"
                            + (json.has("layers") ? "layers" : "config")
                            + "', so it reads as an image index and as an image manifest at once; the OCI image spec"
                            + " forbids such ambiguous documents (CVE-2021-41190)");
        }
        if (MediaTypes.INDEXES.contains(type) ? manifestFields : indexFields) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "manifest of image " + ref + " has mediaType '" + type + "' but the fields of "
                            + (indexFields ? "an image index ('manifests')" : "an image manifest ('layers', 'config')")
                            + "; the OCI image spec requires the mediaType to match the document (CVE-2021-41190)");
        }
        return type;
    }

    private Entry selectPlatform(ImageReference ref, JsonNode index, Platform wanted) {
        JsonNode manifests = index.path("manifests");
        if (!manifests.isArray()) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "index of image " + ref + " has no manifests array");
        }
        List<String> available = new ArrayList<>();
        for (JsonNode m : manifests) {
            JsonNode p = m.path("platform");
            String os = p.path("os").asText("");
            String arch = p.path("architecture").asText("");
            String variant = p.path("variant").asText("");
            if (os.isEmpty() || os.equals("unknown")) {
                continue; // attestation manifests and other non-image entries
            }
            String name = os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant);
            available.add(name);
            if (wanted.matches(os, arch, variant)) {
                String mediaType = m.path("mediaType").asText("");
                if (!mediaType.isEmpty()
                        && !MediaTypes.MANIFESTS.contains(mediaType)
                        && !MediaTypes.INDEXES.contains(mediaType)) {
                    throw new RegistryException(
                            RegistryException.Kind.UNSUPPORTED,
                            "image " + ref + " has a " + name + " entry of unsupported media type '" + mediaType + "'");
                }
                return new Entry(digestField(ref, m, "manifests[]"), sizeField(ref, m, "manifests[]"), name);
            }
        }
        throw new RegistryException(
                RegistryException.Kind.UNSUPPORTED,
                "image " + ref + " has no manifest for platform " + wanted
                        + (available.isEmpty() ? "" : " (available: " + String.join(", ", available) + ")"));
    }

    /** os/arch the config leaves empty were accepted as the wanted ones, so the platform names those, not "/". */
    private static String configPlatform(byte[] configBytes, ImageConfig config, Platform wanted) {
        String variant = "";
        try {
            variant = JSON.readTree(configBytes).path("variant").asText("");
        } catch (IOException e) {
            LOG.debugf("config re-read for variant failed: %s", e.getMessage());
        }
        String os = config.os().isEmpty() ? wanted.os() : config.os();
        String arch = config.architecture().isEmpty() ? wanted.architecture() : config.architecture();
        return os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant);
    }

    private static Digest digestField(ImageReference ref, JsonNode descriptor, String where) {
        String text = descriptor.path("digest").asText("");
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            if (text.matches("[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+") && !text.startsWith("sha256:")) {
                throw new RegistryException(
                        RegistryException.Kind.UNSUPPORTED,
                        "image " + ref + " " + where + " uses an unsupported digest algorithm: " + text);
            }
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "image " + ref + " " + where + " has an invalid digest '" + text + "'");
        }
    }

    private static long sizeField(ImageReference ref, JsonNode descriptor, String where) {
        JsonNode size = descriptor.path("size");
        if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "image " + ref + " " + where + " has no valid size");
        }
        return size.asLong();
    }
}
