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
        List<BuilderMetadata.RunImage> out = new ArrayList<>();
        requested.ifPresent(r -> out.add(new BuilderMetadata.RunImage(r.toString(), List.of())));
        for (BuilderMetadata.RunImage e : builderRuns) {
            if (out.stream().noneMatch(x -> x.image().equals(e.image()))) {
                out.add(e);
            }
        }
        return out;
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
