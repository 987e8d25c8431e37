package dev.locald.image;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Registry host names in one place, like jib's {@code RegistryAliasGroup}: Docker Hub is spelt
 * {@code docker.io}, {@code index.docker.io} or {@code registry-1.docker.io} depending on who writes it, and
 * every part of locald that compares, looks up or writes a registry name asks here. Also the one rule for
 * which registry hosts are loopback (plain HTTP allowed, as docker does) and which are link-local (never
 * contacted: docs/security.md, "Threat model").
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
     * Whether {@code host} names this machine: {@link #isLoopback} or an address literal, in any form, in
     * 127.0.0.0/8, {@code ::1} or the unspecified address ({@code 0.0.0.0}, which connects to this machine).
     */
    public static boolean reachesThisMachine(String host) {
        return isLoopback(host)
                || literalAddress(host)
                        .map(a -> a.isLoopbackAddress() || a.isAnyLocalAddress())
                        .orElse(false);
    }

    /**
     * Whether {@code host} (no port; an IPv6 literal with or without brackets) is a link-local address literal:
     * 169.254.0.0/16 or fe80::/10, also when the IPv4 address is written inside an IPv6 one (mapped
     * {@code ::ffff:a9fe:a9fe}, compatible, 6to4, Teredo) or in a numeric form the C resolver accepts
     * ({@code 2852039166}, {@code 0251.0376.0251.0376}, {@code 0xa9.254.169.254}, {@code 169.254.43518}). Names are
     * not resolved here: {@link #isLinkLocal(InetAddress)} is the check of a resolved address.
     */
    public static boolean isLinkLocal(String host) {
        return literalAddress(host).map(RegistryHosts::isLinkLocal).orElse(false);
    }

    /**
     * Whether {@code address} is link-local (169.254.0.0/16, fe80::/10), an IPv4 address embedded in an IPv6 one
     * included. Cloud metadata services answer there (169.254.169.254), so a build service never connects to it.
     */
    public static boolean isLinkLocal(InetAddress address) {
        if (address.isLinkLocalAddress()) {
            return true;
        }
        if (address instanceof Inet6Address v6) {
            // the JDK turns ::ffff:a.b.c.d into an Inet4Address; compatible, 6to4 and Teredo forms stay IPv6
            byte[] b = v6.getAddress();
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            if (compatible) {
                return isLinkLocal(InetAddresses.fromInteger(
                        ((b[12] & 0xff) << 24) | ((b[13] & 0xff) << 16) | ((b[14] & 0xff) << 8) | (b[15] & 0xff)));
            }
            return InetAddresses.hasEmbeddedIPv4ClientAddress(v6)
                    && InetAddresses.getEmbeddedIPv4ClientAddress(v6).isLinkLocalAddress();
        }
        return false;
    }

    /**
     * The address a host literal names, without any DNS lookup: IPv6 (bracketed or not, a zone dropped), IPv4 in
     * every form inet_aton(3) reads (one to four parts, each decimal, octal with a leading 0 or hex with 0x).
     * Empty for a name.
     */
    static Optional<InetAddress> literalAddress(String host) {
        if (host == null || host.isEmpty()) {
            return Optional.empty();
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.contains(":")) {
            int zone = h.indexOf('%');
            String literal = zone < 0 ? h : h.substring(0, zone);
            return InetAddresses.isInetAddress(literal)
                    ? Optional.of(InetAddresses.forString(literal))
                    : Optional.empty();
        }
        return inetAton(h).map(InetAddresses::fromInteger);
    }

    /** The IPv4 address of {@code text} as inet_aton(3) reads it, or empty when it is not one. */
    private static Optional<Integer> inetAton(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Optional<Long> value = atonPart(parts[i]);
            if (value.isEmpty()) {
                return Optional.empty();
            }
            values[i] = value.get();
        }
        // every part but the last is one byte; the last fills the remaining bytes
        long address = 0;
        for (int i = 0; i < values.length - 1; i++) {
            if (values[i] > 0xff) {
                return Optional.empty();
            }
            address |= values[i] << (24 - 8 * i);
        }
        long last = values[values.length - 1];
        if (last >= 1L << (8 * (5 - values.length))) {
            return Optional.empty();
        }
        return Optional.of((int) (address | last));
    }

    private static Optional<Long> atonPart(String part) {
        String lower = part.toLowerCase(Locale.ROOT);
        int radix = 10;
        String digits = lower;
        if (lower.startsWith("0x")) {
            radix = 16;
            digits = lower.substring(2);
        } else if (lower.length() > 1 && lower.startsWith("0")) {
            radix = 8;
            digits = lower.substring(1);
        }
        if (digits.isEmpty() && radix == 16 || digits.length() > 11) {
            return Optional.empty();
        }
        if (digits.isEmpty()) {
            return Optional.of(0L);
        }
        for (char c : digits.toCharArray()) {
            if (Character.digit(c, radix) < 0) {
                return Optional.empty();
            }
        }
        long value = Long.parseLong(digits, radix);
        return value > 0xffffffffL ? Optional.empty() : Optional.of(value);
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
            if (!reachesThisMachine(host)) {
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
