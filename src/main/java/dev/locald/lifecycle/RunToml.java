package dev.locald.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.locald.fs.OwnedFiles;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code run.toml} the platform writes to {@code <layers>/run.toml} before the first phase, as pack
 * does. It is needed because the lifecycle image has no {@code /cnb/run.toml} of its own, and the exporter
 * reads it for the {@code runImage.image/mirrors} of the app image's label.
 */
public final class RunToml {
    private static final TomlMapper TOML = new TomlMapper();

    private RunToml() {}

    /** The builder's entries, preceded by the request's run image (with no mirrors) when it gave one. */
    public static List<BuilderMetadata.RunImage> entries(
            Optional<ImageReference> requested, List<BuilderMetadata.RunImage> builderRuns) {
        return entries(requested, builderRuns, image -> List.of());
    }

    /**
     * The builder's entries, preceded by the request's run image when it gave one; each entry's mirrors are the
     * builder's for that image followed by {@code moreMirrors} of it (locald's configured registry mirrors), so
     * the lifecycle checks and records them all (the exporter writes the entry into the app image's label).
     */
    public static List<BuilderMetadata.RunImage> entries(
            Optional<ImageReference> requested,
            List<BuilderMetadata.RunImage> builderRuns,
            Function<String, List<String>> moreMirrors) {
        List<BuilderMetadata.RunImage> out = new ArrayList<>();
        requested.ifPresent(r -> out.add(withMirrors(
                r.toString(),
                builderRuns.stream()
                        .filter(e -> sameImage(e.image(), r.toString()))
                        .findFirst()
                        .map(BuilderMetadata.RunImage::mirrors)
                        .orElse(List.of()),
                moreMirrors)));
        for (BuilderMetadata.RunImage e : builderRuns) {
            if (out.stream().noneMatch(x -> sameImage(x.image(), e.image()))) {
                out.add(withMirrors(e.image(), e.mirrors(), moreMirrors));
            }
        }
        return out;
    }

    /** One image under two spellings ({@code index.docker.io/x} and {@code docker.io/x}), as the lifecycle compares. */
    private static boolean sameImage(String a, String b) {
        try {
            return ImageReference.parse(a).equals(ImageReference.parse(b));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    private static BuilderMetadata.RunImage withMirrors(
            String image, List<String> own, Function<String, List<String>> moreMirrors) {
        List<String> mirrors = new ArrayList<>(own);
        for (String mirror : moreMirrors.apply(image)) {
            if (!mirror.equals(image) && !mirrors.contains(mirror)) {
                mirrors.add(mirror);
            }
        }
        return new BuilderMetadata.RunImage(image, mirrors);
    }

    public static String render(List<BuilderMetadata.RunImage> entries) {
        List<Map<String, Object>> images = new ArrayList<>();
        for (BuilderMetadata.RunImage e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", e.image());
            m.put("mirrors", e.mirrors());
            images.add(m);
        }
        try {
            return TOML.writeValueAsString(Map.of("images", images));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render run.toml", e);
        }
    }

    /** Writes {@code <layersDir>/run.toml}, owned by the CNB user; refuses to replace anything there. */
    public static Path write(Path layersDir, List<BuilderMetadata.RunImage> entries, CnbUser owner) throws IOException {
        return OwnedFiles.writeNew(
                layersDir,
                BuildDir.RUN_TOML,
                render(entries).getBytes(StandardCharsets.UTF_8),
                "rw-r--r--",
                owner.uid(),
                owner.gid());
    }
}
