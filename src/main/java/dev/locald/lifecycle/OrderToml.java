package dev.locald.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order.toml for a request that overrides the builder's buildpacks: one {@code [[order]]} with one
 * group of those buildpacks (contract §3.4), written to {@code <layers>/order.toml} for
 * {@code CNB_ORDER_PATH}.
 */
public final class OrderToml {
    private static final TomlMapper TOML = new TomlMapper();

    private OrderToml() {
    }

    public static String render(List<BuildpackRef> group) {
        if (group.isEmpty()) {
            throw new IllegalArgumentException("an order group needs at least one buildpack");
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (BuildpackRef bp : group) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", bp.id());
            bp.version().ifPresent(v -> m.put("version", v));
            entries.add(m);
        }
        try {
            return TOML.writeValueAsString(Map.of("order", List.of(Map.of("group", entries))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render order.toml", e);
        }
    }

    /** Writes {@code <layersDir>/order.toml}, owned by the CNB user; refuses to replace anything there. */
    public static Path write(Path layersDir, List<BuildpackRef> group, CnbUser owner) throws IOException {
        return OwnedFiles.writeNew(layersDir, BuildDir.ORDER_TOML,
                render(group).getBytes(StandardCharsets.UTF_8), "rw-r--r--", owner.uid(), owner.gid());
    }
}
