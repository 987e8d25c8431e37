package dev.locald.image;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Registry host names in one place, like jib's {@code RegistryAliasGroup}: Docker Hub is spelt
 * {@code docker.io}, {@code index.docker.io} or {@code registry-1.docker.io} depending on who writes it, and
 * every part of locald that compares, looks up or writes a registry name asks here. Also the one rule for
 * which registry hosts are loopback (plain HTTP allowed, as docker does).
 */
public final class RegistryHosts {

    /** Docker Hub as references name it (docker's normalised name, {@link ImageReference#registry()}). */
    public static final String DOCKER_HUB = "docker.io";
    /** Docker Hub as go-containerregistry names it ({@code name.DefaultRegistry}), and so the CNB lifecycle. */
    public static final String DOCKER_HUB_INDEX = "index.docker.io";
    /** The host that serves Docker Hub's registry API. */
    public static final String DOCKER_HUB_API = "registry-1.docker.io";

    private static final Set<String> DOCKER_HUB_ALIASES = Set.of(DOCKER_HUB, DOCKER_HUB_INDEX, DOCKER_HUB_API);

    private RegistryHosts() {}

    /** Whether {@code registry} (host[:port]) is one of Docker Hub's names. */
    public static boolean isDockerHub(String registry) {
        return DOCKER_HUB_ALIASES.contains(registry.toLowerCase(Locale.ROOT));
    }

    /** The name references use: Docker Hub's aliases become {@value #DOCKER_HUB}; others are kept. */
    public static String canonical(String registry) {
        return isDockerHub(registry) ? DOCKER_HUB : registry;
    }

    /**
     * The name the lifecycle looks a registry up by ({@code CNB_REGISTRY_AUTH} keys, ggcr's
     * {@code Registry.RegistryStr()}): lower case, Docker Hub as {@value #DOCKER_HUB_INDEX}.
     */
    public static String lifecycleName(String registry) {
        return isDockerHub(registry) ? DOCKER_HUB_INDEX : registry.toLowerCase(Locale.ROOT);
    }

    /** The host[:port] that serves the registry API of {@code registry}. */
    public static String apiHost(String registry) {
        return isDockerHub(registry) ? DOCKER_HUB_API : registry;
    }

    /**
     * Whether {@code host} (no port; an IPv6 literal with or without brackets) is this machine: {@code localhost},
     * {@code ::1} or an IPv4 address in 127.0.0.0/8. Names that merely start like one ({@code 127.0.0.1.example})
     * are not.
     */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] octets = h.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String o : octets) {
            if (!o.matches("[0-9]{1,3}") || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * The TCP ports on this machine's loopback that the loopback registries among {@code registries}
     * (host[:port]) are served on: the given port, else both HTTPS and HTTP (the lifecycle falls back to
     * HTTP for insecure registries). Registries elsewhere contribute nothing.
     */
    public static List<Integer> loopbackPorts(Collection<String> registries) {
        TreeSet<Integer> ports = new TreeSet<>();
        for (String registry : registries) {
            int colon = registry.lastIndexOf(':');
            boolean hasPort = colon > 0
                    && registry.indexOf(']') < colon
                    && registry.substring(colon + 1).matches("[0-9]{1,5}");
            String host = hasPort ? registry.substring(0, colon) : registry;
            if (!isLoopback(host)) {
                continue;
            }
            if (hasPort) {
                ports.add(Integer.parseInt(registry.substring(colon + 1)));
            } else {
                ports.add(443);
                ports.add(80);
            }
        }
        return List.copyOf(ports);
    }
}
