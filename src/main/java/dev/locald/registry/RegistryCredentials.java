package dev.locald.registry;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import dev.locald.image.ImageReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Finds the credential for an image: the one given with the request wins; otherwise docker's
 * config.json is consulted through jib-core, which understands {@code auths} (base64 {@code auth}),
 * {@code credHelpers} and {@code credsStore} (running {@code docker-credential-<name>}), including
 * Docker Hub's aliases.
 */
public final class RegistryCredentials {

    private static final Logger LOG = Logger.getLogger(RegistryCredentials.class);

    /** How long a docker-config lookup is reused: a pull asks for every blob, helpers are processes. */
    private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private record Cached(Optional<RegistryCredential> credential, long expiresAt) {}

    private final Path dockerConfig;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public RegistryCredentials(Path dockerConfig) {
        this.dockerConfig = dockerConfig;
    }

    /** The credential to use for {@code image}, or empty for anonymous access. */
    public Optional<RegistryCredential> forImage(ImageReference image, Optional<RegistryCredential> perRequest) {
        if (perRequest.isPresent()) {
            return perRequest;
        }
        String key = image.apiHost() + "/" + image.repository();
        Cached cached = cache.get(key);
        if (cached != null && cached.expiresAt() - System.nanoTime() > 0) {
            return cached.credential();
        }
        Optional<RegistryCredential> found = lookup(image);
        cache.put(key, new Cached(found, System.nanoTime() + CACHE_NANOS));
        return found;
    }

    private Optional<RegistryCredential> lookup(ImageReference image) {
        if (image.apiHost().startsWith("[")) {
            // jib's reference grammar has no bracketed IPv6 registry (ImageReference.of throws): such a registry
            // gets only the request's own credential
            LOG.debugf("no docker-config lookup for the IPv6 registry %s", image.registry());
            return Optional.empty();
        }
        com.google.cloud.tools.jib.api.ImageReference jibReference = com.google.cloud.tools.jib.api.ImageReference.of(
                image.apiHost(),
                image.repository(),
                image.tag().orElse(null),
                image.digest().map(Object::toString).orElse(null));
        try {
            Optional<Credential> found = CredentialRetrieverFactory.forImage(jibReference, this::log)
                    .dockerConfig(dockerConfig)
                    .retrieve();
            return found.map(c -> new RegistryCredential.Basic(c.getUsername(), c.getPassword()));
        } catch (IllegalArgumentException e) {
            throw new RegistryException(
                    RegistryException.Kind.UNAUTHORIZED,
                    "the credentials for " + image.registry() + " in " + dockerConfig + " are unusable: "
                            + e.getMessage(),
                    e);
        } catch (CredentialRetrievalException e) {
            throw new RegistryException(
                    RegistryException.Kind.UNAUTHORIZED,
                    "could not read credentials for " + image.registry() + " from " + dockerConfig + ": "
                            + e.getMessage(),
                    e);
        }
    }

    public Path dockerConfig() {
        return dockerConfig;
    }

    // jib's messages name registries, helpers and config files, never secrets; a missing credential helper
    // only produces a warning there (the pull then goes on anonymously), so warnings are passed on
    private void log(LogEvent event) {
        if (event.getLevel() == LogEvent.Level.WARN || event.getLevel() == LogEvent.Level.ERROR) {
            LOG.warnf("credentials: %s", event.getMessage());
        } else {
            LOG.debugf("credentials: %s", event.getMessage());
        }
    }
}
