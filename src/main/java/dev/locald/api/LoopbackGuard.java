package dev.locald.api;

import dev.locald.config.LocaldConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Refuses to start an open API (no tokens file) that listens on anything but loopback. */
@ApplicationScoped
public class LoopbackGuard {
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "[::1]", "localhost");

    void check(
            @Observes StartupEvent event,
            @ConfigProperty(name = "quarkus.http.host") String host,
            LocaldConfig config) {
        refusal(host, config.auth().tokensFile().isPresent()).ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
    }

    /** Why locald must not start with this host, or empty when it may. */
    static Optional<String> refusal(String host, boolean tokensFile) {
        if (tokensFile || LOOPBACK.contains(host.trim().toLowerCase(java.util.Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of("locald refuses to listen on " + host + " without locald.auth.tokens-file: anyone who"
                + " can reach it could run builds and push images; set a tokens file (docs/api.md, Authentication)"
                + " or listen on 127.0.0.1");
    }
}
