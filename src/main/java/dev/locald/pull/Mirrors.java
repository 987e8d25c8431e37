package dev.locald.pull;

import dev.locald.image.ImageReference;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Registry mirrors ({@code locald.registry.mirrors."<registry>"=<mirror>[,<mirror>]}): hosts tried in order before
 * the origin for the images locald pulls, as docker's registry mirrors are. Each mirror is a registry name
 * (host[:port]) serving the origin's repositories under the same names.
 */
public record Mirrors(Map<String, List<String>> byRegistry) {

    public static final Mirrors NONE = new Mirrors(Map.of());

    public Mirrors {
        Map<String, List<String>> checked = new TreeMap<>();
        byRegistry.forEach((registry, mirrors) -> {
            String origin = check(registry, registry);
            checked.put(
                    origin,
                    mirrors.stream()
                            .map(String::strip)
                            .filter(m -> !m.isEmpty())
                            .map(m -> check(registry, m))
                            .toList());
        });
        byRegistry = Map.copyOf(checked);
    }

    private static String check(String registry, String name) {
        try {
            return ImageReference.requireRegistry(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("locald.registry.mirrors.\"" + registry + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Where to ask for {@code ref} before its own registry: the same repository on each mirror, in order. Also
     * the mirrors locald adds to the run image's entry of the build's run.toml (docs/configuration.md).
     */
    public List<ImageReference> of(ImageReference ref) {
        return byRegistry.getOrDefault(ref.registry(), List.of()).stream()
                .map(mirror -> new ImageReference(mirror, ref.repository(), ref.tag(), ref.digest()))
                .toList();
    }
}
