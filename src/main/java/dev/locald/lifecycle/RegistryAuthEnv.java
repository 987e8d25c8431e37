package dev.locald.lifecycle;

import dev.locald.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The value of {@code CNB_REGISTRY_AUTH}: a JSON object {@code {"<registry>": "<Authorization header>"}}
 * (contract §2.1). Only the credentialed phases receive it (see {@link Phase#receivesRegistryAuth()}),
 * it is never written to disk by locald, and {@link #toString()} names the hosts only.
 */
public final class RegistryAuthEnv {

    public static final String NAME = "CNB_REGISTRY_AUTH";
    private static final ObjectMapper JSON = Json.PLAIN;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");
    private static final Set<String> DOCKER_HUB = Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

    private final Map<String, String> headers;

    private RegistryAuthEnv(Map<String, String> headers) {
        this.headers = Collections.unmodifiableMap(headers);
    }

    /**
     * Merges credentials resolved from the docker config (credential helpers already run by the caller)
     * with the request's own; for the same registry the request's credential wins. Registry names are
     * host[:port]; Docker Hub under any of its names is written as both {@code index.docker.io} and
     * {@code docker.io} so the lifecycle's keychain finds it however it normalises the name.
     */
    public static RegistryAuthEnv of(Map<String, RegistryCredential> fromDockerConfig,
                                     Map<String, RegistryCredential> fromRequest) {
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
        creds.forEach((host, cred) -> {
            String h = normaliseHost(host);
            if (cred == null) {
                throw new IllegalArgumentException("no credential given for registry " + h);
            }
            if (DOCKER_HUB.contains(h)) {
                out.put("index.docker.io", cred.authorizationHeader());
                out.put("docker.io", cred.authorizationHeader());
            } else {
                out.put(h, cred.authorizationHeader());
            }
        });
    }

    static String normaliseHost(String host) {
        if (host == null) {
            throw new IllegalArgumentException("registry host must not be null");
        }
        String h = host.strip();
        if (h.startsWith("https://")) {
            h = h.substring("https://".length());
        } else if (h.startsWith("http://")) {
            h = h.substring("http://".length());
        }
        int slash = h.indexOf('/');
        if (slash >= 0) {
            h = h.substring(0, slash); // docker config keys like https://index.docker.io/v1/
        }
        if (!HOST.matcher(h).matches()) {
            throw new IllegalArgumentException("not a registry host[:port]: " + BuildpackRef.quote(host));
        }
        return h.toLowerCase(Locale.ROOT);
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
