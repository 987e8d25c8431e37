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
}
