package dev.locald.lifecycle;

import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The order.toml for a request that overrides the builder's buildpacks: one {@code [[order]]} with one
 * group of those buildpacks (docs/lifecycle.md), written to {@code <layers>/order.toml} for
 * {@code CNB_ORDER_PATH}.
 */
public final class OrderToml {
    private OrderToml() {}

    /**
     * Array-of-tables form ({@code [[order]]} / {@code [[order.group]]}, one key per line), as pack writes it:
     * every lifecycle reads it, the fixture lifecycle's small TOML reader included (it has no inline tables).
     */
    public static String render(List<BuildpackRef> group) {
        if (group.isEmpty()) {
            throw new IllegalArgumentException("an order group needs at least one buildpack");
        }
        StringBuilder toml = new StringBuilder("[[order]]\n");
        for (BuildpackRef bp : group) {
            toml.append("\n  [[order.group]]\n    id = ").append(quote(bp.id())).append('\n');
            bp.version()
                    .ifPresent(
                            v -> toml.append("    version = ").append(quote(v)).append('\n'));
        }
        return toml.toString();
    }

    /** One buildpack of an order group; optional ones may fail detection without failing their group. */
    public record Entry(BuildpackRef buildpack, boolean optional) {}

    /** Several {@code [[order]]} groups, tried in turn by the detector (the builder's order, wrapped). */
    public static String renderOrder(List<List<Entry>> order) {
        if (order.isEmpty()) {
            throw new IllegalArgumentException("an order needs at least one group");
        }
        StringBuilder toml = new StringBuilder();
        for (List<Entry> group : order) {
            if (group.isEmpty()) {
                throw new IllegalArgumentException("an order group needs at least one buildpack");
            }
            toml.append(toml.isEmpty() ? "" : "\n").append("[[order]]\n");
            for (Entry e : group) {
                toml.append("\n  [[order.group]]\n    id = ")
                        .append(quote(e.buildpack().id()))
                        .append('\n');
                e.buildpack()
                        .version()
                        .ifPresent(v ->
                                toml.append("    version = ").append(quote(v)).append('\n'));
                if (e.optional()) {
                    toml.append("    optional = true\n");
                }
            }
        }
        return toml.toString();
    }

    /** Writes {@code <layersDir>/order.toml} with several groups ({@link #renderOrder}). */
    public static Path writeOrder(Path layersDir, List<List<Entry>> order, CnbUser owner) throws IOException {
        return OwnedFiles.writeNew(
                layersDir,
                BuildDir.ORDER_TOML,
                renderOrder(order).getBytes(StandardCharsets.UTF_8),
                "rw-r--r--",
                owner.uid(),
                owner.gid());
    }

    /** A TOML basic string; ids and versions are validated by {@link BuildpackRef}, this is belt and braces. */
    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Writes {@code <layersDir>/order.toml}, owned by the CNB user; refuses to replace anything there. */
    public static Path write(Path layersDir, List<BuildpackRef> group, CnbUser owner) throws IOException {
        return OwnedFiles.writeNew(
                layersDir,
                BuildDir.ORDER_TOML,
                render(group).getBytes(StandardCharsets.UTF_8),
                "rw-r--r--",
                owner.uid(),
                owner.gid());
    }

    /**
     * Writes an empty {@code <layersDir>/system.toml} for a request that disables the builder's system buildpacks:
     * CNB_SYSTEM_PATH then names a file with no {@code [system]} table (docs/lifecycle.md).
     */
    public static Path writeEmptySystem(Path layersDir, CnbUser owner) throws IOException {
        return OwnedFiles.writeNew(
                layersDir,
                BuildDir.SYSTEM_TOML,
                "# system buildpacks disabled by the build request\n".getBytes(StandardCharsets.UTF_8),
                "rw-r--r--",
                owner.uid(),
                owner.gid());
    }
}
