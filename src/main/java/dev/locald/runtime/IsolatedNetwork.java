package dev.locald.runtime;

import com.google.common.net.InetAddresses;
import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    static final String PASTA_FAILED_FILE = "pasta.failed";
    private static final int RULE_PRIORITY = 100;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /**
     * @param pastaBinary        pasta, by name on PATH or absolute
     * @param deny               CIDRs refused on top of {@link #LINK_LOCAL} and the host's own addresses
     * @param dnsForwardAddress  the address pasta answers DNS on when it forwards to a host loopback resolver
     * @param setupTimeout       how long pasta may take to come up
     * @param warm               how many namespaces without host loopback ports (detector, builder) are kept
     *                           ready, pasta started, for the next containers
     */
    public record Settings(
            String pastaBinary,
            List<String> deny,
            Optional<String> dnsForwardAddress,
            Duration setupTimeout,
            int warm) {
        public Settings(
                String pastaBinary, List<String> deny, Optional<String> dnsForwardAddress, Duration setupTimeout) {
            this(pastaBinary, deny, dnsForwardAddress, setupTimeout, 0);
        }

        public Settings {
            if (warm < 0) {
                throw new IllegalArgumentException("the number of warm namespaces cannot be negative: " + warm);
            }
            deny = List.copyOf(deny);
            deny.forEach(IsolatedNetwork::requireCidr);
            dnsForwardAddress.ifPresent(address -> {
                if (!address.equals(DNS_FORWARD_ADDRESS) && !address.equals("::1")) {
                    throw new IllegalArgumentException(
                            "the DNS forward address must be the container's loopback (127.0.0.1 or ::1): " + address);
                }
            });
        }
    }

    /**
     * The nameserver of an isolated container whose host has only loopback resolvers: pasta listens on port
     * 53 of the namespace's loopback (127.0.0.1 and ::1) and forwards to {@link DnsRelay}.
     */
    public static final String DNS_FORWARD_ADDRESS = "127.0.0.1";

    private final Settings settings;
    private final Map<InetSocketAddress, DnsRelay> relays = new HashMap<>();
    /** Fills the warm namespaces and tears down used ones, off the containers' paths. */
    private final ExecutorService background = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "isolated-network");
        thread.setDaemon(true);
        return thread;
    });
    /** Ready-made namespaces without host loopback ports, for {@link #warmKey}. */
    private final Deque<Namespace> warm = new ArrayDeque<>();

    private Optional<String> warmKey = Optional.empty();
    private boolean closed;

    public IsolatedNetwork(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * One container's namespace and its pasta, which may still be setting the namespace up: the container
     * waits for it in {@link #readinessHook} (runc prepares the container meanwhile); {@link #close} ends
     * pasta and releases the namespace.
     */
    public final class Namespace implements AutoCloseable {
        private final Path dir;
        private final Path file;
        private final Process pasta;
        private final Path pidFile;
        private final Path failedFile;
        private final Path log;
        private final CompletableFuture<Void> exitHandled;
        private final String rules;

        private Namespace(Path dir, Process pasta, String rules) {
            this.dir = dir;
            this.rules = rules;
            this.file = dir.resolve(NETNS_FILE);
            this.pidFile = dir.resolve(PASTA_PID_FILE);
            this.failedFile = dir.resolve(PASTA_FAILED_FILE);
            this.log = dir.resolve(PASTA_LOG_FILE);
            this.pasta = pasta;
            // tells the readiness hook to give up at once instead of at its timeout
            this.exitHandled = pasta == null
                    ? CompletableFuture.completedFuture(null)
                    : pasta.onExit().thenRun(() -> markFailed(pidFile, failedFile));
        }

        /** The bound namespace, for the runc spec's network namespace path. */
        public Path path() {
            return file;
        }

        /**
         * A createRuntime hook that returns once pasta has configured the namespace (it writes its pid file
         * then) and fails when pasta ended first or took longer than {@code timeout}: runc runs it before the
         * container's process starts, after preparing everything else, so pasta's start-up overlaps runc's.
         */
        RuntimeSpec.Hook readinessHook(Duration timeout) {
            String script = "while [ ! -s \"$1\" ]; do [ -e \"$2\" ] && exit 1; sleep 0.002; done";
            return new RuntimeSpec.Hook(
                    "/bin/sh", List.of("sh", "-c", script, "sh", pidFile.toString(), failedFile.toString()), (int)
                            Math.max(1, (timeout.toMillis() + 999) / 1000));
        }

        /** Why the network could not be set up, when pasta ended before it had configured the namespace. */
        public Optional<String> failure() throws IOException {
            if (pasta == null || pasta.isAlive() || Files.exists(pidFile)) {
                return Optional.empty();
            }
            return Optional.of(
                    "pasta could not set up the container's network (exit " + pasta.exitValue() + "): " + readLog(log));
        }

        /** Waits until pasta has configured the namespace (for callers that start no container). */
        public void awaitReady(Duration timeout) throws IOException, InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            while (!Files.exists(pidFile) || Files.size(pidFile) == 0) {
                Optional<String> failure = failure();
                if (failure.isPresent()) {
                    throw new IOException(failure.get());
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException(
                            "pasta did not set up the container's network within " + timeout + ": " + readLog(log));
                }
                Thread.sleep(1);
            }
        }

        /**
         * Ends pasta and releases the namespace in the background (pasta takes tens of milliseconds to exit):
         * the caller's next container need not wait. A crash meanwhile leaves it to the startup sweep.
         */
        @Override
        public void close() {
            try {
                background.execute(this::reap);
            } catch (RejectedExecutionException e) {
                reap(); // shut down: at once
            }
        }

        private void reap() {
            try {
                reapNow();
            } catch (IOException | RuntimeException e) {
                LOG.warnf(e, "cannot release the network namespace %s (the startup sweep will)", dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void reapNow() throws IOException, InterruptedException {
            if (pasta != null) {
                pasta.destroyForcibly();
                pasta.waitFor(5, TimeUnit.SECONDS);
                try {
                    // its marker must be written before the directory is deleted
                    exitHandled.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("handling the end of pasta failed", e);
                }
            }
            release(file);
            TreeDeleter.deleteTree(dir);
        }

        /** Alive, and made with the policy rules of now (the host's addresses may have changed since). */
        private boolean usable(String currentRules) {
            return pasta != null && pasta.isAlive() && rules.equals(currentRules);
        }
    }

    /**
     * A namespace with its policy rules and pasta for one container, in a directory of its own under
     * {@code parentDir} (the bundles directory, which the startup sweep clears). pasta may still be
     * starting (see {@link Namespace#readinessHook}). Without host loopback ports a warm one is handed out
     * when there is one, and another is prepared in the background.
     *
     * @param hostLoopbackPorts TCP ports of the host's loopback the container reaches on its own loopback
     * @param forwardDnsTo      a host loopback resolver that DNS queries to the forward address go to (over
     *                          pasta and {@link DnsRelay}), when the host has only loopback resolvers
     */
    public Namespace create(Path parentDir, List<Integer> hostLoopbackPorts, Optional<String> forwardDnsTo)
            throws IOException, InterruptedException {
        if (!hostLoopbackPorts.isEmpty() || settings.warm() == 0) {
            return createNew(parentDir, hostLoopbackPorts, forwardDnsTo);
        }
        Namespace ready = null;
        List<Namespace> stale = new ArrayList<>();
        String currentRules = rules();
        synchronized (this) {
            if (!warmKey.equals(forwardDnsTo)) {
                stale.addAll(warm); // the host's resolvers changed
                warm.clear();
                warmKey = forwardDnsTo;
            }
            while (ready == null && !warm.isEmpty()) {
                Namespace next = warm.poll();
                if (next.usable(currentRules)) {
                    ready = next;
                } else {
                    stale.add(next);
                }
            }
        }
        stale.forEach(Namespace::close);
        try {
            background.execute(() -> fill(parentDir, forwardDnsTo));
        } catch (RejectedExecutionException e) {
            // shutting down: no more warm ones
        }
        return ready != null ? ready : createNew(parentDir, hostLoopbackPorts, forwardDnsTo);
    }

    /** Tops up the warm namespaces (in the background thread). */
    private void fill(Path parentDir, Optional<String> forwardDnsTo) {
        while (true) {
            synchronized (this) {
                if (closed || !warmKey.equals(forwardDnsTo) || warm.size() >= settings.warm()) {
                    return;
                }
            }
            Namespace fresh;
            try {
                fresh = createNew(parentDir, List.of(), forwardDnsTo);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot prepare a warm network namespace: %s", e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (this) {
                if (!closed && warmKey.equals(forwardDnsTo)) {
                    warm.add(fresh);
                    continue;
                }
            }
            fresh.reap();
            return;
        }
    }

    /**
     * Releases the warm namespaces and waits until every namespace closed so far is gone; warm ones are
     * prepared again at the next use. At shutdown, and for tests that check nothing is left.
     */
    public void drain() throws InterruptedException {
        while (true) {
            List<Namespace> doomed;
            synchronized (this) {
                doomed = new ArrayList<>(warm);
                warm.clear();
            }
            doomed.forEach(Namespace::close);
            try {
                background.submit(() -> {}).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                LOG.warnf("waiting for the network namespaces to be released: %s", e.toString());
                return;
            }
            synchronized (this) {
                if (warm.isEmpty()) {
                    return;
                }
            }
        }
    }

    /** Releases every namespace and stops the background work (locald's shutdown). */
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
        }
        drain();
        background.shutdown();
        background.awaitTermination(30, TimeUnit.SECONDS);
    }

    private Namespace createNew(Path parentDir, List<Integer> hostLoopbackPorts, Optional<String> forwardDnsTo)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectory(parentDir.resolve("net-" + UUID.randomUUID()), OWNER_ONLY);
        String rules = rules();
        Namespace namespace = new Namespace(dir, null, rules);
        Files.createFile(namespace.file);
        Process pasta = null;
        try {
            Path v4 = Files.writeString(dir.resolve("rules4"), rules(false), StandardCharsets.US_ASCII);
            Path v6 = Files.writeString(dir.resolve("rules6"), rules(true), StandardCharsets.US_ASCII);
            // unshare binds the new namespace to the file and runs ip inside it
            runChecked(List.of(
                    "unshare",
                    "--net=" + namespace.file,
                    "sh",
                    "-c",
                    "ip -4 -batch \"$1\" && ip -6 -batch \"$2\"",
                    "sh",
                    v4.toString(),
                    v6.toString()));
            pasta = startPasta(namespace.file, namespace.pidFile, namespace.log, hostLoopbackPorts, forwardDnsTo);
            return new Namespace(dir, pasta, rules);
        } catch (IOException | RuntimeException e) {
            try {
                new Namespace(dir, pasta, rules).reapNow();
            } catch (IOException | InterruptedException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * The relay to {@code resolver} (port 53), started at first use; one per resolver the host's resolv.conf
     * has named, kept for locald's life (running containers' pasta forwards to it).
     */
    synchronized DnsRelay relayTo(String resolver) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddresses.forString(resolver), 53);
        DnsRelay relay = relays.get(address);
        if (relay == null) {
            relay = DnsRelay.start(address);
            relays.put(address, relay);
        }
        return relay;
    }

    private static void markFailed(Path pidFile, Path failedFile) {
        try {
            if (!Files.exists(pidFile)) {
                Files.writeString(failedFile, "pasta ended\n", StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            LOG.debugf("cannot mark %s: %s", failedFile, e.getMessage()); // the bundle is being deleted
        }
    }

    private Process startPasta(Path netns, Path pidFile, Path log, List<Integer> ports, Optional<String> forwardDnsTo)
            throws IOException {
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
                // port 53 of the namespace's loopback to the relay; pasta's own --dns-forward refuses a
                // loopback resolver in Debian 12's version
                forwardDnsTo.isPresent() && settings.dnsForwardAddress().isPresent()
                        ? "53:" + relayTo(forwardDnsTo.get()).port()
                        : "none",
                // the gateway address would otherwise reach the host's loopback
                "--no-map-gw",
                "-D",
                "none"));
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static String readLog(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8).trim();
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }

    /** The {@code ip -batch} lines of both families (ip needs one run per family), joined by a blank line. */
    String rules() throws SocketException {
        return rules(false) + "\n" + rules(true);
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
