package dev.locald.etc;

import java.util.List;

/**
 * The container's {@code /etc/hosts}: localhost for IPv4 and IPv6, the container's own host name on the
 * loopback address (the entry Docker's {@code buildHostsFile} writes), then the caller's extra entries.
 */
final class HostsFile {

    private HostsFile() {}

    public static String render(String hostname, List<HostEntry> extraHosts) {
        HostEntry.requireHostname(hostname);
        StringBuilder text = new StringBuilder()
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("127.0.0.1\t")
                .append(hostname)
                .append('\n');
        for (HostEntry entry : extraHosts) {
            text.append(entry.address()).append('\t').append(entry.hostname()).append('\n');
        }
        return text.toString();
    }
}
