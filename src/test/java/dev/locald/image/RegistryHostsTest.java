package dev.locald.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegistryHostsTest {

    @Test
    void dockerHubHasOneNamePerUse() {
        for (String alias : new String[] {"docker.io", "index.docker.io", "registry-1.docker.io", "Index.Docker.IO"}) {
            assertTrue(RegistryHosts.isDockerHub(alias), alias);
            assertEquals("docker.io", RegistryHosts.canonical(alias), alias);
            assertEquals("index.docker.io", RegistryHosts.lifecycleName(alias), alias);
            assertEquals("registry-1.docker.io", RegistryHosts.apiHost(alias), alias);
        }
        assertFalse(RegistryHosts.isDockerHub("docker.io.evil"));
        assertEquals("gcr.io", RegistryHosts.lifecycleName("GCR.io"));
        assertEquals("127.0.0.1:5000", RegistryHosts.apiHost("127.0.0.1:5000"));
    }

    /** What the lifecycle's keychain and locald's caches key a reference by (was lifecycle.RegistryHost). */
    @Test
    void registryAndRepositoryKeysFollowDockerRules() {
        assertEquals("index.docker.io", lifecycleRegistry("busybox"));
        assertEquals("index.docker.io", lifecycleRegistry("library/busybox:1"));
        assertEquals("index.docker.io", lifecycleRegistry("docker.io/library/busybox"));
        assertEquals("localhost", lifecycleRegistry("localhost/app"));
        assertEquals("127.0.0.1:5000", lifecycleRegistry("127.0.0.1:5000/app@sha256:" + "a".repeat(64)));
        assertEquals("gcr.io", lifecycleRegistry("GCR.io/x/y"));
        assertEquals(
                "index.docker.io/library/busybox",
                ImageReference.parse("busybox:latest").repositoryKey());
        assertEquals(
                "index.docker.io/library/busybox",
                ImageReference.parse("docker.io/busybox").repositoryKey());
        assertEquals(
                "localhost:5000/team/app",
                ImageReference.parse("localhost:5000/team/app:v1").repositoryKey());
        assertEquals(
                "localhost:5000/team/app",
                ImageReference.parse("localhost:5000/team/app@sha256:" + "a".repeat(64))
                        .repositoryKey());
        assertEquals("index.docker.io/me/app", ImageReference.parse("me/app").repositoryKey());
    }

    @Test
    void loopbackDetection() {
        for (String host : new String[] {"localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
            assertTrue(RegistryHosts.isLoopback(host), host);
        }
        for (String host :
                new String[] {"127.0.0.1.example.com", "10.0.0.1", "128.0.0.1", "localhost.evil", "127.0.0.256", ""}) {
            assertFalse(RegistryHosts.isLoopback(host), host);
        }
        assertTrue(ImageReference.parse("127.0.0.1:5000/a:1").isLoopback());
        assertTrue(ImageReference.parse("[::1]:5000/a:1").isLoopback());
        assertFalse(ImageReference.parse("127.0.0.1.nip.io:5000/a:1").isLoopback());
        assertFalse(ImageReference.parse("busybox").isLoopback());
    }

    private static String lifecycleRegistry(String reference) {
        return RegistryHosts.lifecycleName(ImageReference.parse(reference).registry());
    }

    /** 169.254.0.0/16 and fe80::/10 in every form a resolver or a socket would read as one of them. */
    @Test
    void linkLocalAddressesInEveryForm() throws Exception {
        for (String host : new String[] {
            "169.254.169.254",
            "169.254.0.1",
            "169.254.255.255",
            "[fe80::1]",
            "fe80::1",
            "FE80::A9FE:A9FE",
            "[febf:ffff::1]",
            "fe80::1%eth0",
            "[::ffff:169.254.169.254]",
            "::ffff:a9fe:a9fe",
            "0:0:0:0:0:ffff:a9fe:a9fe",
            "[::169.254.169.254]",
            "::a9fe:a9fe",
            "2002:a9fe:a9fe::1", // 6to4 of 169.254.169.254
            "2852039166", // inet_aton(3) reads one number as the whole address
            "0251.0376.0251.0376",
            "0xa9.0xfe.0xa9.0xfe",
            "0xA9FEA9FE",
            "169.254.43518",
            "169.16689662",
        }) {
            assertTrue(RegistryHosts.isLinkLocal(host), host);
        }
        for (String host : new String[] {
            "169.253.255.255",
            "169.255.0.1",
            "127.0.0.1",
            "10.0.0.1",
            "[::1]",
            "fec0::1", // site-local, just past fe80::/10
            "fe7f::1",
            "[::ffff:10.1.2.3]",
            "169.254.169.254.example",
            "metadata.google.internal", // a name: resolved and checked when connecting
            "a9fe.a9fe",
            "4294967296", // beyond 32 bits: not an address
            "169.254.256.1",
            "0x",
            "",
            "registry-1.docker.io",
        }) {
            assertFalse(RegistryHosts.isLinkLocal(host), host);
        }
        assertTrue(RegistryHosts.isLinkLocal(java.net.InetAddress.getByName("169.254.1.2")));
        assertTrue(RegistryHosts.isLinkLocal(java.net.InetAddress.getByName("[fe80::abcd]")));
        assertFalse(RegistryHosts.isLinkLocal(java.net.InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void theReferencesAPIClientCanWriteThatAreLinkLocal() {
        assertTrue(ImageReference.parse("169.254.169.254/latest/meta-data:1").isLinkLocal());
        assertTrue(ImageReference.parse("169.254.169.254:80/x").isLinkLocal());
        assertTrue(ImageReference.parse("[fe80::1]:5000/x").isLinkLocal());
        assertTrue(ImageReference.parse("[FE80:0:0:0:0:0:0:1]/x").isLinkLocal());
        assertFalse(ImageReference.parse("127.0.0.1:5000/x").isLinkLocal());
        assertFalse(ImageReference.parse("busybox").isLinkLocal());
    }

    @Test
    void whatReachesThisMachine() {
        for (String host :
                new String[] {"127.0.0.1", "127.9.9.9", "localhost", "[::1]", "::1", "0.0.0.0", "2130706433"}) {
            assertTrue(RegistryHosts.reachesThisMachine(host), host);
        }
        for (String host : new String[] {"10.0.0.1", "registry.example", "169.254.169.254", "[fe80::1]", "128.0.0.1"}) {
            assertFalse(RegistryHosts.reachesThisMachine(host), host);
        }
    }
}
