package dev.locald.cnb;

import dev.locald.image.BuilderMetadata;
import dev.locald.lifecycle.Buildpackage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The buildpacks a build adds from buildpackage images ({@code docker://…} in the request's or project.toml's
 * buildpacks): each entry's {@link Buildpackage}, and their layers' extracted dirs, which the builder's phases
 * get as read-only lower layers above the builder's own (docs/api.md, "Buildpacks from images").
 *
 * @param byEntry   the buildpackage of each {@code docker://} entry, as written
 * @param layerDirs the buildpackages' layer dirs, bottom first, each once
 */
record AddedBuildpacks(Map<String, Buildpackage> byEntry, List<Path> layerDirs) {

    static final AddedBuildpacks NONE = new AddedBuildpacks(Map.of(), List.of());

    AddedBuildpacks {
        byEntry = Map.copyOf(byEntry);
        layerDirs = List.copyOf(layerDirs);
    }

    boolean isEmpty() {
        return byEntry.isEmpty();
    }

    /** The group with each {@code docker://} entry replaced by its image's top buildpack, {@code id@version}. */
    List<String> substitute(List<String> group) {
        List<String> out = new ArrayList<>();
        for (String entry : group) {
            Buildpackage image = byEntry.get(entry);
            out.add(image == null ? entry : image.top().toString());
        }
        return out;
    }

    /**
     * The builder's buildpacks and the added ones: what the order may name. A builder that lists none keeps
     * the empty list (its own buildpacks then need explicit versions, which the added ones have).
     */
    List<BuilderMetadata.Buildpack> available(List<BuilderMetadata.Buildpack> builders) {
        if (builders.isEmpty()) {
            return builders;
        }
        List<BuilderMetadata.Buildpack> all = new ArrayList<>(builders);
        byEntry.values().forEach(image -> all.addAll(image.buildpacks()));
        return all;
    }
}
