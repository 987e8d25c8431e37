package dev.locald.etc;

import com.google.common.net.InetAddresses;
import java.util.regex.Pattern;

/** An extra {@code /etc/hosts} line a caller asks for: a host name and the IP literal it maps to. */
public record HostEntry(String hostname, String address) {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    public HostEntry {
        requireHostname(hostname);
        if (address == null || !InetAddresses.isInetAddress(address)) {
            throw new IllegalArgumentException("extra host " + hostname + ": not an IP address: " + address);
        }
        address = InetAddresses.toAddrString(InetAddresses.forString(address));
    }

    /** Accepts RFC 1123 host names (dot-separated labels, at most 253 characters). */
    public static void requireHostname(String hostname) {
        if (hostname == null || hostname.isEmpty() || hostname.length() > 253) {
            throw new IllegalArgumentException("invalid host name: " + hostname);
        }
        for (String label : hostname.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("invalid host name: " + hostname);
            }
        }
    }
}
