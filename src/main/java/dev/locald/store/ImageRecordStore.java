package dev.locald.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.config.DataLayout;
import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Records of pulled images under {@code <data>/images/<sha256 of the reference>.json}, one per reference
 * (a re-pull of a moved tag replaces it). Each write goes to a temp file that is synced and renamed over
 * the old record, so a reader sees the old or the new record, never a mix.
 */
public final class ImageRecordStore {

    private static final Logger LOG = Logger.getLogger(ImageRecordStore.class);
    private static final ObjectMapper JSON = Json.PLAIN;
    private static final String SUFFIX = ".json";

    private final Path dir;

    /** The store in the default layout under {@code dataDir}. */
    public ImageRecordStore(Path dataDir) throws IOException {
        this(DataLayout.under(dataDir));
    }

    public ImageRecordStore(DataLayout layout) throws IOException {
        this.dir = layout.images();
        Files.createDirectories(dir);
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    public void save(ImageRecord record) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("reference", record.reference().toString());
        root.put("manifestDigest", record.manifestDigest().toString());
        root.put("platform", record.platform());
        root.put("config", Base64.getEncoder().encodeToString(record.configBytes()));
        ArrayNode layers = root.putArray("layers");
        for (LayerDescriptor l : record.layers()) {
            ObjectNode n = layers.addObject();
            n.put("digest", l.digest().toString());
            n.put("size", l.size());
            n.put("mediaType", l.mediaType());
            n.put("diffId", l.diffId().toString());
        }
        root.put("pulledAt", record.pulledAt().toString());
        Path target = fileOf(record.reference());
        Path temp = dir.resolve(target.getFileName() + "." + StoreFiles.randomSuffix() + ".tmp");
        try {
            Files.write(
                    temp,
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root),
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            StoreFiles.fsync(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            StoreFiles.fsync(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public Optional<ImageRecord> find(ImageReference reference) throws IOException {
        Path file = fileOf(reference);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(read(file));
    }

    public boolean delete(ImageReference reference) throws IOException {
        return Files.deleteIfExists(fileOf(reference));
    }

    /** Every readable record; a record that cannot be parsed is reported in the log and skipped. */
    public List<ImageRecord> listAll() throws IOException {
        List<ImageRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    out.add(read(file));
                } catch (IOException | IllegalArgumentException e) {
                    LOG.warnf("skipping unreadable image record %s: %s", file, e.getMessage());
                }
            }
        }
        return out;
    }

    private Path fileOf(ImageReference reference) {
        return dir.resolve(Digest.ofBytes(reference.toString().getBytes(StandardCharsets.UTF_8))
                        .hex()
                + SUFFIX);
    }

    private static ImageRecord read(Path file) throws IOException {
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        List<LayerDescriptor> layers = new ArrayList<>();
        for (JsonNode n : root.path("layers")) {
            layers.add(new LayerDescriptor(
                    Digest.parse(n.path("digest").asText()),
                    n.path("size").asLong(-1),
                    n.path("mediaType").asText(),
                    Digest.parse(n.path("diffId").asText())));
        }
        return new ImageRecord(
                ImageReference.parse(root.path("reference").asText()),
                Digest.parse(root.path("manifestDigest").asText()),
                root.path("platform").asText(),
                Base64.getDecoder().decode(root.path("config").asText()),
                layers,
                Instant.parse(root.path("pulledAt").asText()));
    }
}
