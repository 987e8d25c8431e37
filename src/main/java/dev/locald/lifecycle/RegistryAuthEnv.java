package dev.locald.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.image.ImageReference;
import dev.locald.image.RegistryHosts;
import dev.locald.json.Json;
import dev.locald.registry.RegistryCredential;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The value of {@code CNB_REGISTRY_AUTH}: a JSON object {@code {"<registry>": "<Authorization header>"}}
 * (docs/lifecycle.md). Only the credentialed phases receive it (see {@link Phase#receivesRegistryAuth()}),
 * it is never written to disk by locald, and {@link #toString()} names the hosts only.
 */
public final class RegistryAuthEnv {

    public static final String NAME = "CNB_REGISTRY_AUTH";
    private static final ObjectMapper JSON = Json.PLAIN;

    private final Map<String, String> headers;

    private RegistryAuthEnv(Map<String, String> headers) {
        this.headers = Collections.unmodifiableMap(headers);
    }

    /**
     * Merges credentials found in the docker config (credential helpers already run by the caller) with the
     * request's own; for the same registry the request's credential wins. Keys are registries as
     * {@link ImageReference#registry()} names them; each is written under the name the lifecycle's keychain
     * looks it up by ({@link RegistryHosts#lifecycleName}: Docker Hub as {@code index.docker.io}), Docker Hub
     * also as {@code docker.io}, which no lifecycle asks for but older locald wrote.
     */
    public static RegistryAuthEnv of(
            Map<String, RegistryCredential> fromDockerConfig, Map<String, RegistryCredential> fromRequest) {
        Map<String, String> out = new TreeMap<>();
        put(out, fromDockerConfig);
        put(out, fromRequest);
        return new RegistryAuthEnv(out);
    }

    public static RegistryAuthEnv none() {
        return new RegistryAuthEnv(Map.of());
    }

    private static void put(Map<String, String> out, Map<String, RegistryCredential> creds) {
        if (creds == null) {
            return;
        }
        creds.forEach((registry, cred) -> {
            String name = RegistryHosts.lifecycleName(ImageReference.requireRegistry(registry));
            if (cred == null) {
                throw new IllegalArgumentException("no credential given for registry " + name);
            }
            out.put(name, cred.authorizationHeader());
            if (RegistryHosts.isDockerHub(registry)) {
                out.put(RegistryHosts.DOCKER_HUB, cred.authorizationHeader());
            }
        });
    }

    public boolean isEmpty() {
        return headers.isEmpty();
    }

    public Set<String> registries() {
        return headers.keySet();
    }

    /** The JSON to put in the phase's environment. Never log it. */
    public String json() {
        try {
            return JSON.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a map of strings", e);
        }
    }

    @Override
    public String toString() {
        return "RegistryAuthEnv[registries=" + headers.keySet() + ", headers=<redacted>]";
    }
}
