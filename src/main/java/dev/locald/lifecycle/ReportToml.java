package dev.locald.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.locald.fs.OwnedFiles;
import dev.locald.image.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parses the exporter's {@code report.toml}. The file lives in {@code /layers}, which buildpacks can write,
 * so it is read without following links and errors never quote its contents. The {@code [build]} bom is
 * ignored.
 */
public final class ReportToml {
    /** A real report is a few hundred bytes; anything bigger is not one. */
    public static final long MAX_BYTES = 1 << 20;

    private static final TomlMapper TOML = new TomlMapper();

    private ReportToml() {}

    /** Reads {@code <layersDir>/report.toml}. */
    public static Report read(Path layersDir) throws ReportException {
        Path file = layersDir.resolve(BuildDir.REPORT_TOML);
        byte[] bytes;
        try {
            bytes = OwnedFiles.readRegular(file, MAX_BYTES, "the exporter's report.toml");
        } catch (NoSuchFileException e) {
            throw new ReportException(
                    "the exporter wrote no report.toml (" + file + "), so the published digest is unknown", e);
        } catch (IOException e) {
            throw new ReportException("cannot read the exporter's report.toml: " + e.getMessage(), e);
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    public static Report parse(String toml) throws ReportException {
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (IOException e) {
            throw new ReportException(
                    "report.toml is not valid TOML" + TomlErrors.location(e)); // no cause: it may quote the file
        }
        JsonNode image = root == null ? null : root.get("image");
        if (image == null || !image.isObject()) {
            throw new ReportException("report.toml has no [image] table");
        }
        Optional<Digest> digest = digest(image, "digest");
        Optional<Digest> imageId = digest(image, "image-id");
        List<String> tags = new ArrayList<>();
        JsonNode t = image.get("tags");
        if (t != null) {
            if (!t.isArray()) {
                throw new ReportException("report.toml: image.tags is not an array");
            }
            for (JsonNode v : t) {
                if (!v.isTextual()) {
                    throw new ReportException("report.toml: image.tags holds a non-string");
                }
                tags.add(v.asText());
            }
        }
        OptionalLong manifestSize = OptionalLong.empty();
        JsonNode size = image.get("manifest-size");
        if (size != null) {
            // The code writes an integer; the spec shows a string. Accept both.
            try {
                long n = size.isIntegralNumber() ? size.asLong() : Long.parseLong(size.asText());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                manifestSize = OptionalLong.of(n);
            } catch (NumberFormatException e) {
                throw new ReportException("report.toml: image.manifest-size is not a non-negative integer");
            }
        }
        if (digest.isEmpty() && imageId.isEmpty()) {
            throw new ReportException("report.toml names neither image.digest nor image.image-id");
        }
        return new Report(digest, tags, manifestSize, imageId);
    }

    private static Optional<Digest> digest(JsonNode image, String key) throws ReportException {
        JsonNode v = image.get(key);
        if (v == null || (v.isTextual() && v.asText().isEmpty())) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(v.asText()));
        } catch (IllegalArgumentException e) {
            throw new ReportException("report.toml: image." + key + " is not a sha256 digest");
        }
    }

    /** report.toml is missing or unusable; the message is meant for the user. */
    public static class ReportException extends Exception {
        public ReportException(String message) {
            super(message);
        }

        public ReportException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
