package dev.locald.runtime;

import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Gives one container a network namespace of its own with outbound access through pasta (docs/engine.md,
 * Network). The namespace is bound to a file in the container's bundle directory (so the startup sweep,
 * which unmounts everything there, also finds it); before anything runs in it, policy-routing rules
 * refuse link-local ranges, the host's own addresses and the configured deny list (the container has no
 * CAP_NET_ADMIN, so it cannot remove them); then pasta joins it with no port forwarded into it, no
 * gateway-to-host mapping, and only the given host loopback ports reachable from it.
 */
public final class IsolatedNetwork {

    private static final Logger LOG = Logger.getLogger(IsolatedNetwork.class);

    /** Always refused: link-local ranges (cloud metadata services live at 169.254.169.254). */
    public static final List<String> LINK_LOCAL = List.of("169.254.0.0/16", "fe80::/10");

    static final String NETNS_FILE = "netns";
    static final String PASTA_PID_FILE = "pasta.pid";
    static final String PASTA_LOG_FILE = "pasta.log";
    private static final int RULE_PRIORITY = 100;

    /**
     * @param pastaBinary        pasta, by name on PATH or absolute
     * @param deny               CIDRs refused on top of {@link #LINK_LOCAL} and the host's own addresses
     * @param dnsForwardAddress  the address pasta answers DNS on when it forwards to a host loopback resolver
     * @param setupTimeout       how long pasta may take to come up
     */
    public record Settings(
            String pastaBinary, List<String> deny, Optional<String> dnsForwardAddress, Duration setupTimeout) {
        public Settings {
            deny = List.copyOf(deny);
            deny.forEach(IsolatedNetwork::requireCidr);
            dnsForwardAddress.ifPresent(address -> {
                if (!InetAddresses.isInetAddress(address)) {
                    throw new IllegalArgumentException("the DNS forward address is not an IP address: " + address);
                }
            });
        }
    }

    private final Settings settings;

    public IsolatedNetwork(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** One container's namespace and its pasta; {@link #close} ends pasta and releases the namespace. */
    public static final class Namespace implements AutoCloseable {
        private final Path file;
        private final Process pasta;

        private Namespace(Path file, Process pasta) {
            this.file = file;
            this.pasta = pasta;
        }

        /** The bound namespace, for the runc spec's network namespace path. */
        public Path path() {
            return file;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (pasta != null) {
                pasta.destroy();
                if (!pasta.waitFor(5, TimeUnit.SECONDS)) {
                    pasta.destroyForcibly();
                    pasta.waitFor(5, TimeUnit.SECONDS);
                }
            }
            release(file);
        }
    }

    /**
     * Creates the namespace in {@code bundleDir} and starts pasta for it.
     *
     * @param hostLoopbackPorts TCP ports of the host's loopback the container reaches on its own loopback
     * @param forwardDnsTo      a host loopback resolver pasta forwards DNS queries to (sent to the forward
     *                          address), when the host has only loopback resolvers
     */
    public Namespace create(Path bundleDir, List<Integer> hostLoopbackPorts, Optional<String> forwardDnsTo)
            throws IOException, InterruptedException {
        Path file = bundleDir.resolve(NETNS_FILE);
        Files.createFile(file);
        Process pasta = null;
        try {
            Path v4 = Files.writeString(bundleDir.resolve("rules4"), rules(false), StandardCharsets.US_ASCII);
            Path v6 = Files.writeString(bundleDir.resolve("rules6"), rules(true), StandardCharsets.US_ASCII);
            // unshare binds the new namespace to the file and runs ip inside it
            runChecked(List.of(
                    "unshare",
                    "--net=" + file,
                    "sh",
                    "-c",
                    "ip -4 -batch \"$1\" && ip -6 -batch \"$2\"",
                    "sh",
                    v4.toString(),
                    v6.toString()));
            pasta = startPasta(bundleDir, file, hostLoopbackPorts, forwardDnsTo);
            return new Namespace(file, pasta);
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                new Namespace(file, pasta).close();
            } catch (IOException | InterruptedException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Process startPasta(Path bundleDir, Path netns, List<Integer> ports, Optional<String> forwardDnsTo)
            throws IOException, InterruptedException {
        Path pidFile = bundleDir.resolve(PASTA_PID_FILE);
        Path log = bundleDir.resolve(PASTA_LOG_FILE);
        List<String> command = new ArrayList<>(List.of(
                settings.pastaBinary(),
                "--foreground",
                "--quiet",
                // pasta drops to nobody by default, which cannot join a namespace root made
                "--runas",
                "0:0",
                "--config-net",
                "--netns",
                netns.toString(),
                "--pid",
                pidFile.toString(),
                // nothing from the host into the namespace, nothing from it to the host but these ports
                "-t",
                "none",
                "-u",
                "none",
                "-T",
                ports.isEmpty() ? "none" : ports.stream().map(String::valueOf).collect(Collectors.joining(",")),
                "-U",
                "none",
                // the gateway address would otherwise reach the host's loopback
                "--no-map-gw"));
        if (forwardDnsTo.isPresent() && settings.dnsForwardAddress().isPresent()) {
            command.addAll(List.of("--dns-forward", settings.dnsForwardAddress().get(), "-D", forwardDnsTo.get()));
        } else {
            // no forwarding: with it pasta rewrites every answer of the resolver to the forward address
            command.addAll(List.of("-D", "none"));
        }
        Process pasta = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // pasta writes its pid file once the namespace is configured
        Instant deadline = Instant.now().plus(settings.setupTimeout());
        while (!Files.exists(pidFile) || Files.size(pidFile) == 0) {
            if (!pasta.isAlive()) {
                throw new IOException("pasta could not set up the container's network (exit " + pasta.exitValue()
                        + "): " + readLog(log));
            }
            if (Instant.now().isAfter(deadline)) {
                pasta.destroyForcibly();
                throw new IOException("pasta did not set up the container's network within " + settings.setupTimeout()
                        + ": " + readLog(log));
            }
            Thread.sleep(1);
        }
        return pasta;
    }

    private static String readLog(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8).trim();
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }

    /** The {@code ip -batch} lines for one family: refusals first, then loopback up. */
    String rules(boolean v6) throws SocketException {
        List<String> refused = new ArrayList<>(LINK_LOCAL);
        refused.addAll(settings.deny());
        refused.addAll(hostAddresses());
        StringBuilder lines = new StringBuilder();
        for (String cidr : refused) {
            if (cidr.contains(":") == v6) {
                lines.append("rule add to ")
                        .append(cidr)
                        .append(" prohibit priority ")
                        .append(RULE_PRIORITY)
                        .append('\n');
            }
        }
        if (!v6) {
            lines.append("link set lo up\n");
        }
        return lines.toString();
    }

    /**
     * The host's own non-loopback addresses: pasta would connect to them from the host, reaching services
     * that listen on every address.
     */
    static List<String> hostAddresses() throws SocketException {
        List<String> result = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
                    continue;
                }
                String literal = InetAddresses.toAddrString(address);
                if (literal.contains("%")) {
                    literal = literal.substring(0, literal.indexOf('%')); // the zone id is no part of a prefix
                }
                result.add(literal + (address instanceof Inet4Address ? "/32" : "/128"));
            }
        }
        return result;
    }

    static void requireCidr(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!InetAddresses.isInetAddress(address)) {
            throw new IllegalArgumentException("not a CIDR (address/prefix): " + cidr);
        }
        if (slash >= 0) {
            int max = address.contains(":") ? 128 : 32;
            try {
                int prefix = Integer.parseInt(cidr.substring(slash + 1));
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("prefix out of range in " + cidr);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR (address/prefix): " + cidr, e);
            }
        }
    }

    /** Unbinds and removes a namespace file; what no process holds any more the kernel frees. */
    static void release(Path file) throws IOException, InterruptedException {
        if (!Files.exists(file)) {
            return;
        }
        if (isMountPoint(file)) {
            // lazy: a process that still has it open (a dying pasta) must not keep the file bound
            runChecked(List.of("umount", "--lazy", file.toString()));
        }
        Files.deleteIfExists(file);
    }

    static boolean isMountPoint(Path file) throws IOException {
        String point = file.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4
                    && fields[4].replace("\\040", " ").replace("\\134", "\\").equals(point)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ends a pasta left by a previous run of locald, by the pid file in its bundle directory; only a
     * process whose command line names that namespace file is killed (the pid may have been reused).
     */
    static Optional<Long> killLeftPasta(Path bundleDir) throws IOException, InterruptedException {
        Path pidFile = bundleDir.resolve(PASTA_PID_FILE);
        String pidText;
        try {
            pidText = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(pidText);
        } catch (NumberFormatException e) {
            LOG.warnf("ignoring an unreadable pasta pid file %s", pidFile);
            return Optional.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        String netns = bundleDir.resolve(NETNS_FILE).toString();
        if (process.isEmpty() || !commandLine(pid).contains(netns)) {
            return Optional.empty();
        }
        process.get().destroyForcibly();
        Instant deadline = Instant.now().plusSeconds(5);
        while (process.get().isAlive() && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
        return Optional.of(pid);
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static void runChecked(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish in 30 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        }
    }
}
