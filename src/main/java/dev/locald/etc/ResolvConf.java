package dev.locald.etc;

import com.google.common.net.InetAddresses;
import dev.locald.image.NetworkMode;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The container's {@code /etc/resolv.conf}, derived from the host's as Docker does: with the host's
 * network it is the host's file unchanged; in a network namespace of its own, loopback nameservers
 * (127.0.0.0/8, ::1) are unreachable and removed, {@code search} and {@code options} are kept, and when
 * no nameserver is left the configured public resolvers are used. In an isolated network (pasta, docs/engine.md
 * Network) a host with only loopback resolvers (a local stub such as systemd-resolved's 127.0.0.53) gets the
 * DNS forward address instead, which pasta forwards to the first of them, so names resolve as on the host.
 */
public final class ResolvConf {

    static final long MAX_BYTES = 1024 * 1024;

    private final Path hostFile;
    private final List<String> fallbackNameservers;
    private final Optional<String> dnsForwardAddress;

    /**
     * @param hostFile the host's resolv.conf (normally {@code /etc/resolv.conf})
     * @param fallbackNameservers IP literals used when no usable nameserver remains
     */
    public ResolvConf(Path hostFile, List<String> fallbackNameservers) {
        this(hostFile, fallbackNameservers, Optional.empty());
    }

    /**
     * @param dnsForwardAddress where an isolated network's DNS forwarder answers (see {@link #forwardedResolver})
     */
    public ResolvConf(Path hostFile, List<String> fallbackNameservers, Optional<String> dnsForwardAddress) {
        this.hostFile = hostFile;
        dnsForwardAddress.ifPresent(address -> {
            if (!InetAddresses.isInetAddress(address)) {
                throw new IllegalArgumentException("DNS forward address is not an IP address: " + address);
            }
        });
        this.dnsForwardAddress = dnsForwardAddress;
        for (String address : fallbackNameservers) {
            if (!InetAddresses.isInetAddress(address)) {
                throw new IllegalArgumentException("fallback nameserver is not an IP address: " + address);
            }
        }
        if (fallbackNameservers.isEmpty()) {
            throw new IllegalArgumentException("at least one fallback nameserver is needed");
        }
        this.fallbackNameservers = List.copyOf(fallbackNameservers);
    }

    /** The content for a container that uses the host's network or its own. */
    public String render(NetworkMode network) throws IOException {
        String host = readHostFile();
        return switch (network) {
            case HOST -> hostNetworkContent(host);
            case NONE -> isolatedContent(host);
            case ISOLATED ->
                forwardedResolver(host).isPresent()
                        ? withNameservers(withoutNameservers(host), List.of(dnsForwardAddress.get()))
                        : isolatedContent(host);
        };
    }

    /**
     * The host resolver an isolated network's DNS forwarder must send queries to: the first loopback
     * nameserver, when the host lists only loopback ones and a forward address is configured.
     */
    public Optional<String> forwardedResolver() throws IOException {
        return forwardedResolver(readHostFile());
    }

    Optional<String> forwardedResolver(String host) {
        List<String> all = nameservers(host);
        if (dnsForwardAddress.isEmpty() || all.isEmpty() || !all.stream().allMatch(ResolvConf::isLoopback)) {
            return Optional.empty();
        }
        return Optional.of(stripZone(all.get(0)));
    }

    private static String withoutNameservers(String host) {
        StringBuilder kept = new StringBuilder();
        for (String line : host.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (!words[0].equals("nameserver") && !line.isBlank()) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    String hostNetworkContent(String host) {
        return host.isEmpty() || host.endsWith("\n") ? host : host + "\n";
    }

    String isolatedContent(String host) {
        StringBuilder kept = new StringBuilder();
        for (String line : host.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("nameserver") && (words.length < 2 || isLoopback(words[1]))) {
                continue;
            }
            if (!line.isBlank()) {
                kept.append(line).append('\n');
            }
        }
        String result = kept.toString();
        return nameservers(result).isEmpty() ? withFallbacks(result) : result;
    }

    private String withFallbacks(String text) {
        return withNameservers(text, fallbackNameservers);
    }

    private static String withNameservers(String text, List<String> nameservers) {
        StringBuilder result = new StringBuilder(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
        nameservers.forEach(ns -> result.append("nameserver ").append(ns).append('\n'));
        return result.toString();
    }

    private static List<String> nameservers(String text) {
        List<String> result = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                result.add(words[1]);
            }
        }
        return result;
    }

    private static boolean isLoopback(String address) {
        // "fe80::1%eth0" style zone ids are not literals Guava accepts; strip them first
        String literal = stripZone(address);
        if (!InetAddresses.isInetAddress(literal)) {
            return false;
        }
        InetAddress parsed = InetAddresses.forString(literal);
        return parsed.isLoopbackAddress() || (parsed instanceof Inet4Address && parsed.getAddress()[0] == 127);
    }

    private static String stripZone(String address) {
        return address.contains("%") ? address.substring(0, address.indexOf('%')) : address;
    }

    private String readHostFile() throws IOException {
        try {
            // the host's file is normally a symlink (systemd-resolved); following it is fine on the host
            if (Files.size(hostFile) > MAX_BYTES) {
                throw new IOException(hostFile + " is larger than " + MAX_BYTES + " bytes");
            }
            if (!Files.isRegularFile(hostFile)) {
                throw new IOException(hostFile + " is not a regular file");
            }
            return Files.readString(hostFile, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
