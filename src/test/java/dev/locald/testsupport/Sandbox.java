package dev.locald.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.fs.TreeDeleter;
import dev.locald.image.Digest;
import dev.locald.image.LayerCompression;
import dev.locald.layer.ExtractedLayer;
import dev.locald.layer.ExtractionLimits;
import dev.locald.layer.LayerExtractor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.UUID;

/**
 * A directory under target/ holding an extraction root next to things a hostile layer must not touch:
 * a canary file, an empty directory, and a symlink pointing back at them. {@link #assertOutsideUntouched}
 * compares them with how they were created.
 */
public final class Sandbox implements AutoCloseable {

    public static final ExtractionLimits LIMITS = new ExtractionLimits(1L << 30, 100_000, 1000, 4096, 1L << 30);

    public final Path base;
    public final Path root;
    public final Path canary;
    public final Path outsideDir;
    private final SortedMap<String, String> outsideBefore;

    private Sandbox(Path base) throws IOException {
        this.base = base;
        this.root = Files.createDirectory(base.resolve("root"));
        this.canary = Files.writeString(base.resolve("canary"), "canary", StandardCharsets.UTF_8);
        Files.setAttribute(canary, "unix:mode", 0640);
        this.outsideDir = Files.createDirectory(base.resolve("outside"));
        this.outsideBefore = outside();
    }

    public static Sandbox create() throws IOException {
        Path parent = Path.of("target", "rootfs-tests").toAbsolutePath();
        Files.createDirectories(parent);
        return new Sandbox(
                Files.createDirectory(parent.resolve(UUID.randomUUID().toString())));
    }

    /** Everything under the base except the root: must never change. */
    public SortedMap<String, String> outside() throws IOException {
        SortedMap<String, String> listing = TreeListing.of(base);
        listing.keySet().removeIf(p -> p.equals("/root") || p.startsWith("/root/"));
        listing.put("/", TreeListing.describe(base));
        return listing;
    }

    public void assertOutsideUntouched() throws IOException {
        assertEquals(outsideBefore, outside(), "a layer changed something outside its root");
    }

    public ExtractedLayer extract(byte[] tar) throws IOException {
        return extract(tar, TestImage.Compression.NONE, root);
    }

    public ExtractedLayer extract(byte[] tar, TestImage.Compression compression, Path target) throws IOException {
        return new LayerExtractor(LIMITS)
                .extract(
                        new ByteArrayInputStream(ImagePusher.compress(tar, compression)),
                        LayerCompression.valueOf(compression.name()),
                        diffId(tar),
                        target);
    }

    public ExtractedLayer applyFlat(byte[] tar) throws IOException {
        return new LayerExtractor(LIMITS)
                .applyFlat(new ByteArrayInputStream(tar), LayerCompression.NONE, diffId(tar), root);
    }

    public static Digest diffId(byte[] tar) {
        return Digest.ofBytes(tar);
    }

    @Override
    public void close() throws IOException {
        TreeDeleter.deleteTree(base);
    }
}
