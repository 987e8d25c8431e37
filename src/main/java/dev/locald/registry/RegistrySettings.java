package dev.locald.registry;

import dev.locald.config.LocaldConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The registry settings in one plain record, so the registry classes can be built without CDI.
 *
 * @param insecure         registries (host or host:port) reached over plain HTTP
 * @param dockerConfig     docker config.json with {@code auths}, {@code credHelpers}, {@code credsStore}
 * @param platform         platform picked from image indexes
 * @param retries          extra attempts after a transient failure (I/O error, 5xx, 429)
 * @param retryBackoff     wait before the first retry; doubled for each further one
 * @param connectTimeout   TCP/TLS connect timeout
 * @param requestTimeout   time allowed until a response's headers arrive, and the longest pause while a body streams
 * @param maxManifestBytes largest manifest or index accepted
 * @param maxConfigBytes   largest image config accepted
 */
public record RegistrySettings(
        Set<String> insecure,
        Path dockerConfig,
        Platform platform,
        int retries,
        Duration retryBackoff,
        Duration connectTimeout,
        Duration requestTimeout,
        long maxManifestBytes,
        long maxConfigBytes) {

    public RegistrySettings {
        insecure = Set.copyOf(insecure);
        if (retries < 0) {
            throw new IllegalArgumentException("locald.registry.retries must not be negative: " + retries);
        }
    }

    public static RegistrySettings from(LocaldConfig config) {
        LocaldConfig.Registry r = config.registry();
        return new RegistrySettings(
                Set.copyOf(r.insecure().orElse(List.of())),
                r.dockerConfig(),
                Platform.parse(r.platform()),
                r.retries(),
                r.retryBackoff(),
                r.connectTimeout(),
                r.requestTimeout(),
                config.limits().maxManifestBytes(),
                config.limits().maxConfigBytes());
    }

    /** Defaults as documented, with the given docker config and insecure registries (for tests and tools). */
    public static RegistrySettings defaults(Path dockerConfig, Set<String> insecure) {
        return new RegistrySettings(
                insecure,
                dockerConfig,
                Platform.parse("linux/amd64"),
                3,
                Duration.ofMillis(200),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60),
                4L << 20,
                8L << 20);
    }

    public RegistrySettings withRetries(int newRetries, Duration newBackoff) {
        return new RegistrySettings(
                insecure,
                dockerConfig,
                platform,
                newRetries,
                newBackoff,
                connectTimeout,
                requestTimeout,
                maxManifestBytes,
                maxConfigBytes);
    }

    public RegistrySettings withPlatform(Platform newPlatform) {
        return new RegistrySettings(
                insecure,
                dockerConfig,
                newPlatform,
                retries,
                retryBackoff,
                connectTimeout,
                requestTimeout,
                maxManifestBytes,
                maxConfigBytes);
    }

    public RegistrySettings withRequestTimeout(Duration timeout) {
        return new RegistrySettings(
                insecure,
                dockerConfig,
                platform,
                retries,
                retryBackoff,
                connectTimeout,
                timeout,
                maxManifestBytes,
                maxConfigBytes);
    }

    public RegistrySettings withMaxManifestBytes(long max) {
        return new RegistrySettings(
                insecure,
                dockerConfig,
                platform,
                retries,
                retryBackoff,
                connectTimeout,
                requestTimeout,
                max,
                maxConfigBytes);
    }
}
