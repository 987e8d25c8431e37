package dev.locald.cnb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildResult;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.ImageConfig;
import dev.locald.json.Json;
import dev.locald.lifecycle.Report;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * What a build keeps of its {@code /layers} once the phases are done (docs/api.md, "SBOM and report"): the
 * buildpacks' SBOM files ({@code layers/sbom}) and the exporter's report with the published image's build
 * metadata, both in the build's record directory, so they live and die with the record. {@code /layers} is
 * writable by buildpacks, so the copy follows no link and is bounded.
 */
final class BuildArtifacts {
    /** SBOMs of real apps run to a few MiB; far more than that is not an SBOM worth keeping. */
    static final long MAX_SBOM_BYTES = 64L * 1024 * 1024;

    static final int MAX_SBOM_FILES = 4096;
    /** The label the exporter writes with buildpacks, processes and launcher (lifecycle's platform/labels.go). */
    static final String BUILD_METADATA_LABEL = "io.buildpacks.build.metadata";
    /** The label with the run image the app was built on. */
    static final String LIFECYCLE_METADATA_LABEL = "io.buildpacks.lifecycle.metadata";

    private static final ObjectMapper JSON = Json.PLAIN;

    private BuildArtifacts() {}

    /**
     * Copies {@code layers/sbom} into {@code target} (which must not exist): regular files and directories
     * only, links and anything else skipped. Over the limits, nothing is kept and the log says why.
     */
    static void keepSbom(Path layers, Path target, BuildProgress progress) throws IOException {
        Path sbom = layers.resolve("sbom");
        if (!Files.isDirectory(sbom, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Files.createDirectory(target);
        long[] used = {0, 0};
        boolean[] tooBig = {false};
        try {
            copyTree(sbom, target, used, tooBig);
        } catch (IOException e) {
            TreeDeleter.deleteTree(target); // half an SBOM is not kept
            throw e;
        }
        if (used[1] == 0) {
            TreeDeleter.deleteTree(target); // directories only: the buildpacks wrote no SBOM
        } else if (tooBig[0]) {
            TreeDeleter.deleteTree(target);
            progress.note("the SBOM is not kept: the buildpacks wrote more than " + MAX_SBOM_FILES + " files or "
                    + MAX_SBOM_BYTES + " bytes under /layers/sbom");
        }
    }

    private static void copyTree(Path sbom, Path target, long[] used, boolean[] tooBig) throws IOException {
        Files.walkFileTree(sbom, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(sbom)) {
                    Files.createDirectory(target.resolve(sbom.relativize(dir).toString()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE; // a link or special file a buildpack left: not an SBOM
                }
                if (emptyLegacyBom(file, attrs)) {
                    return FileVisitResult.CONTINUE;
                }
                used[0] += attrs.size();
                used[1]++;
                if (used[0] > MAX_SBOM_BYTES || used[1] > MAX_SBOM_FILES) {
                    tooBig[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                copyNoFollow(file, target.resolve(sbom.relativize(file).toString()), MAX_SBOM_BYTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The lifecycle writes {@code sbom/build/sbom.legacy.json} holding {@code null} for every build (the legacy
     * {@code [[bom]]} of build.toml, empty): that is no SBOM a buildpack wrote.
     */
    private static boolean emptyLegacyBom(Path file, BasicFileAttributes attrs) throws IOException {
        if (!file.getFileName().toString().equals("sbom.legacy.json") || attrs.size() > 16) {
            return false;
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            content = in.readNBytes(17);
        }
        return new String(content, java.nio.charset.StandardCharsets.UTF_8)
                .strip()
                .equals("null");
    }

    private static void copyNoFollow(Path from, Path to, long max) throws IOException {
        try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS);
                OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
            byte[] buffer = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > max) {
                    throw new IOException("an SBOM file grew past " + max + " bytes while being copied");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    /**
     * The report kept as {@code report.json}: the exporter's report and the build metadata of the published
     * image (its labels), or {@code buildMetadata: null} when the image's config could not be read.
     */
    static byte[] reportJson(BuildResult result, Report report, Optional<ImageConfig> published) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("image", result.image());
        root.put("digest", result.digest().toString());
        root.putPOJO("tags", result.tags());
        report.imageId().ifPresent(id -> root.put("imageId", id.toString()));
        if (report.manifestSize().isPresent()) {
            root.put("manifestSize", report.manifestSize().getAsLong());
        } else {
            root.putNull("manifestSize");
        }
        root.set("buildMetadata", published.map(BuildArtifacts::buildMetadata).orElse(null));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** buildpacks, processes, default process and launcher from the build label; the run image from the lifecycle's. */
    static ObjectNode buildMetadata(ImageConfig config) {
        JsonNode build = label(config, BUILD_METADATA_LABEL);
        JsonNode lifecycle = label(config, LIFECYCLE_METADATA_LABEL);
        ObjectNode md = JSON.createObjectNode();
        md.set("buildpacks", build.path("buildpacks").isArray() ? build.get("buildpacks") : JSON.createArrayNode());
        md.set("processes", build.path("processes").isArray() ? build.get("processes") : JSON.createArrayNode());
        JsonNode defaultProcess = build.path("buildpack-default-process-type");
        md.set("defaultProcess", defaultProcess.isTextual() ? defaultProcess : null);
        md.set("launcher", build.path("launcher").isObject() ? build.get("launcher") : null);
        md.set("runImage", lifecycle.path("runImage").isObject() ? lifecycle.get("runImage") : null);
        return md;
    }

    private static JsonNode label(ImageConfig config, String key) {
        Optional<String> value = config.label(key);
        if (value.isEmpty()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(value.get());
            return node == null ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
