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

    Builds builds();

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

        /** Deadline for pulling one image. */
        @WithDefault("PT30M")
        Duration pullTimeout();
    }

    interface Builds {
        /** Builds that may wait for a worker; one more is refused with 429 and a Retry-After. */
        @WithDefault("16")
        int queueCapacity();

        /** Builds that run at the same time (worker threads). */
        @WithDefault("2")
        int maxConcurrent();

        /** Whole-build deadline when the request names no {@code timeout}; counted from when a worker takes the build. */
        @WithDefault("PT30M")
        Duration defaultTimeout();

        /** Longest {@code timeout} a request may ask for. */
        @WithDefault("PT4H")
        Duration maxTimeout();

        /**
         * How long a cancelled or timed-out build's executor gets to stop before the build is recorded as
         * ended anyway and its worker replaced.
         */
        @WithDefault("PT1M")
        Duration cancelGrace();

        /** The Retry-After sent with a 429 when the queue is full. */
        @WithDefault("PT15S")
        Duration retryAfter();

        /**
         * Whether a JSON request may name a server-side directory as {@code source.path}. Off by default:
         * it lets any client read any directory locald can read. On in dev mode.
         */
        @WithDefault("false")
        boolean allowSourcePath();

        /** Largest source archive accepted, in bytes (keep {@code quarkus.http.limits.max-body-size} a bit above it). */
        @WithDefault("536870912")
        long maxSourceBytes();

        /** Largest build request JSON (the body, or the {@code build} part), in bytes. */
        @WithDefault("1048576")
        int maxRequestBytes();

        /** Longest log line kept, in characters; longer lines are cut and marked. */
        @WithDefault("16384")
        int logMaxLineLength();

        /** Bytes of log text stored per build; beyond it one notice is written and further lines are dropped. */
        @WithDefault("67108864")
        long logMaxBytes();

        /** Recent log lines per running build kept in memory for live readers (older lines are read from the file). */
        @WithDefault("2048")
        int logMemoryLines();
    }
}
