package dev.locald.runtime;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;

/**
 * Relays DNS over UDP from a port on the host's loopback to a host resolver that listens on another
 * loopback address (systemd-resolved's 127.0.0.53, dnsmasq on 127.0.0.1): pasta forwards an isolated
 * container's port 53 on its own loopback to this port (its outbound forwarding always targets
 * 127.0.0.1 or ::1), so a host whose only resolver is a loopback stub still resolves names inside
 * (docs/security.md, Isolated network). Every query is answered by the resolver as if the host asked.
 */
final class DnsRelay implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DnsRelay.class);
    private static final int MAX_MESSAGE = 65_535;
    private static final int RESOLVER_TIMEOUT_MS = 5_000;

    private final InetSocketAddress resolver;
    private final DatagramSocket socket;
    private final ExecutorService workers;
    private final Thread receiver;

    private DnsRelay(InetSocketAddress resolver, DatagramSocket socket) {
        this.resolver = resolver;
        this.socket = socket;
        // queries are short; a few at once keep a slow answer from holding up the others
        this.workers = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "dns-relay-query");
            thread.setDaemon(true);
            return thread;
        });
        this.receiver = new Thread(this::receive, "dns-relay");
        this.receiver.setDaemon(true);
    }

    /** Starts a relay to {@code resolver} on an ephemeral UDP port of 127.0.0.1. */
    static DnsRelay start(InetSocketAddress resolver) throws SocketException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DnsRelay relay = new DnsRelay(resolver, socket);
        relay.receiver.start();
        LOG.infof("DNS relay for isolated networks: 127.0.0.1:%d -> %s", relay.port(), resolver);
        return relay;
    }

    int port() {
        return socket.getLocalPort();
    }

    InetSocketAddress resolver() {
        return resolver;
    }

    private void receive() {
        while (!socket.isClosed()) {
            DatagramPacket query = new DatagramPacket(new byte[MAX_MESSAGE], MAX_MESSAGE);
            try {
                socket.receive(query);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warnf("DNS relay: receiving failed: %s", e.getMessage());
                }
                continue;
            }
            byte[] message = Arrays.copyOf(query.getData(), query.getLength());
            SocketAddress client = query.getSocketAddress();
            try {
                workers.execute(() -> answer(message, client));
            } catch (RejectedExecutionException e) {
                return; // closed
            }
        }
    }

    private void answer(byte[] message, SocketAddress client) {
        try (DatagramSocket upstream = new DatagramSocket()) {
            upstream.setSoTimeout(RESOLVER_TIMEOUT_MS);
            upstream.connect(resolver);
            upstream.send(new DatagramPacket(message, message.length));
            DatagramPacket reply = new DatagramPacket(new byte[MAX_MESSAGE], MAX_MESSAGE);
            upstream.receive(reply);
            socket.send(new DatagramPacket(reply.getData(), reply.getLength(), client));
        } catch (SocketTimeoutException e) {
            LOG.debugf("DNS relay: %s did not answer within %d ms", resolver, RESOLVER_TIMEOUT_MS);
        } catch (IOException e) {
            LOG.debugf("DNS relay: %s", e.getMessage()); // the client retries or gives up, as with any resolver
        }
    }

    @Override
    public void close() {
        socket.close();
        workers.shutdownNow();
    }
}
