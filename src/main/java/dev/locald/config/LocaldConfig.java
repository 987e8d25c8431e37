package dev.locald.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of locald, under the prefix {@code locald}. Each key and its default is documented in
 * {@code docs/configuration.md}; keep the two in step.
 */
@ConfigMapping(prefix = "locald")
public interface LocaldConfig {

    /** Where blobs, extracted layers, build records, logs and runc state live. */
    @WithDefault("${user.home}/.local/share/locald")
    Path dataDir();

    Registry registry();

    Limits limits();

    Rootfs rootfs();

    interface Rootfs {
        /**
         * How build root filesystems are assembled: {@code auto} probes once whether an overlay mount
         * with {@code userxattr} works here and falls back to copying the layers when it does not;
         * {@code true} always mounts an overlay (failing when it cannot); {@code false} always copies.
         */
        @WithDefault("auto")
        OverlayMode overlay();

        enum OverlayMode { AUTO, TRUE, FALSE }
    }

    interface Registry {
        /**
         * Registries (host or host:port) reached over plain HTTP. Loopback registries are always
         * allowed to fall back to HTTP, as docker does.
         */
        Optional<List<String>> insecure();

        /** Docker config.json consulted for credentials and credential helpers. */
        @WithDefault("${user.home}/.docker/config.json")
        Path dockerConfig();

        /** Platform chosen from an image index, as os/architecture[/variant]. */
        @WithDefault("linux/amd64")
        String platform();

        /** Layers downloaded at once for one image. */
        @WithDefault("4")
        int parallelDownloads();

        /** How often a transient registry failure (I/O error, 5xx, 429) is tried again. */
        @WithDefault("3")
        int retries();
    }

    interface Limits {
        /** Largest manifest or index accepted from a registry, in bytes. */
        @WithDefault("4194304")
        long maxManifestBytes();

        /** Largest image config accepted, in bytes. */
        @WithDefault("8388608")
        long maxConfigBytes();

        /** Largest total of uncompressed bytes one layer may expand to. */
        @WithDefault("17179869184")
        long maxLayerExpandedBytes();

        /** Largest number of tar entries in one layer. */
        @WithDefault("1000000")
        long maxLayerEntries();

        /** Largest ratio of uncompressed to compressed bytes before a layer counts as a bomb. */
        @WithDefault("1000")
        long maxCompressionRatio();

        /** Longest path (in UTF-8 bytes) of one layer entry, or of a link target. */
        @WithDefault("4096")
        int maxLayerPathLength();

        /** Largest single regular file in a layer, in bytes (after sparse expansion). */
        @WithDefault("8589934592")
        long maxLayerFileBytes();

        /** Deadline for pulling one image. */
        @WithDefault("PT30M")
        Duration pullTimeout();
    }
}
