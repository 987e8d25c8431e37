package dev.locald.etc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locald.image.NetworkMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvConfTest {

    @TempDir
    Path dir;

    private ResolvConf resolvConf(String host) throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(file, host);
        return new ResolvConf(file, List.of("8.8.8.8", "8.8.4.4"));
    }

    @Test
    void isolatedNetworkDropsLoopbackNameserversKeepsSearchAndOptions() throws Exception {
        ResolvConf conf = resolvConf(
                "nameserver 127.0.0.53\nnameserver 127.1.2.3\nnameserver ::1\n"
                        + "nameserver 192.168.1.1\nnameserver fe80::1%eth0\nsearch a.example b.example\noptions edns0 trust-ad\n");
        assertEquals(
                "nameserver 192.168.1.1\nnameserver fe80::1%eth0\nsearch a.example b.example\n"
                        + "options edns0 trust-ad\n",
                conf.render(NetworkMode.NONE));
    }

    @Test
    void isolatedNetworkWithOnlyLoopbackGetsTheFallbacks() throws Exception {
        assertEquals(
                "search lan\noptions ndots:1\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n",
                resolvConf("nameserver 127.0.0.53\nsearch lan\noptions ndots:1\n")
                        .render(NetworkMode.NONE));
    }

    @Test
    void hostNetworkKeepsTheHostFileAsIs() throws Exception {
        String host = "nameserver 127.0.0.53\nsearch lan\n";
        assertEquals(host, resolvConf(host).render(NetworkMode.HOST));
    }

    @Test
    void missingHostFileMeansFallbacksInAnIsolatedNetwork() throws Exception {
        ResolvConf conf = new ResolvConf(dir.resolve("absent"), List.of("1.1.1.1"));
        assertEquals("nameserver 1.1.1.1\n", conf.render(NetworkMode.NONE));
    }

    @Test
    void fallbacksMustBeAddresses() {
        assertThrows(IllegalArgumentException.class, () -> new ResolvConf(dir, List.of("dns.google")));
        assertThrows(IllegalArgumentException.class, () -> new ResolvConf(dir, List.of()));
    }
}
