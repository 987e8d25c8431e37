package dev.locald.config;

import java.nio.file.Path;

/**
 * The one owner of what lives where under {@code locald.data-dir}; every other class asks it for its directory
 * instead of resolving a name itself. {@code runc} and {@code bundles} may be moved elsewhere by configuration.
 *
 * @param root the data directory
 * @param builds build records and logs, {@code builds/<id>/}
 * @param work each build's scratch space, {@code work/<id>/} (source, workspace, assembled root filesystems)
 * @param bundles one OCI bundle per running container
 * @param runc runc's {@code --root} (container state) for locald's containers
 * @param blobs the content-addressed blob store
 * @param layers extracted layers
 * @param images records of pulled images
 * @param cache persistent lifecycle caches, one per target repository
 */
public record DataLayout(
        Path root, Path builds, Path work, Path bundles, Path runc, Path blobs, Path layers, Path images, Path cache) {

    /** The default layout under {@code root}, every directory inside it. */
    public static DataLayout under(Path root) {
        return new DataLayout(
                root,
                root.resolve("builds"),
                root.resolve("work"),
                root.resolve("bundles"),
                root.resolve("runc"),
                root.resolve("blobs"),
                root.resolve("layers"),
                root.resolve("images"),
                root.resolve("cache"));
    }

    /**
     * The configured layout: under the absolute data directory, with runc's state and the bundles where
     * {@code locald.runtime.state-dir} and {@code bundle-dir} put them (absolute: runc needs absolute paths).
     */
    public static DataLayout of(LocaldConfig config) {
        DataLayout defaults = under(config.dataRoot());
        LocaldConfig.Runtime runtime = config.runtime();
        return new DataLayout(
                defaults.root(),
                defaults.builds(),
                defaults.work(),
                runtime.bundleDir().orElse(defaults.bundles()).toAbsolutePath(),
                runtime.stateDir().orElse(defaults.runc()).toAbsolutePath(),
                defaults.blobs(),
                defaults.layers(),
                defaults.images(),
                defaults.cache());
    }
}
