package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.image.NetworkMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ContainerRequestTest {

    static final CnbUser CNB = new CnbUser(1001, 1002);
    static final Path ROOT = Path.of("/var/lib/locald/rootfs/x");

    private static ContainerRequest.Builder valid() {
        return ContainerRequest.builder("build-1", ROOT, CNB).args("/bin/true");
    }

    @Test
    void defaultsRunTheCnbUserIsolatedWithoutLimits() {
        ContainerRequest request = valid().build();
        assertEquals(1001, request.uid());
        assertEquals(1002, request.gid());
        assertEquals(NetworkMode.NONE, request.network());
        assertTrue(request.limits().isEmpty());
        assertEquals("/", request.cwd());
    }

    @Test
    void badInputIsRefusedWithAMessageNamingIt() {
        assertMessage(
                "invalid container id: ../x",
                () -> ContainerRequest.builder("../x", ROOT, CNB).args("a").build());
        assertMessage(
                "rootfs must be an absolute path: rel",
                () -> ContainerRequest.builder("a", Path.of("rel"), CNB)
                        .args("a")
                        .build());
        assertMessage(
                "a container needs a process to run (args is empty)",
                () -> ContainerRequest.builder("a", ROOT, CNB).build());
        assertMessage(
                "invalid environment entry (want NAME=value): =x",
                () -> valid().env("=x").build());
        assertMessage(
                "invalid environment entry (want NAME=value): NOVALUE",
                () -> valid().env("NOVALUE").build());
        assertMessage(
                "cwd must not contain . or .. components: /a/../b",
                () -> valid().cwd("/a/../b").build());
        assertMessage("cwd must be an absolute path: a", () -> valid().cwd("a").build());
        assertMessage(
                "bind mount destination must be an absolute path: layers",
                () -> valid().mount(new BindMount(Path.of("/x"), "layers", false))
                        .build());
        assertMessage(
                "invalid host name: bad_host",
                () -> valid().hostname("bad_host").build());
        assertMessage(
                "timeout must be positive: PT0S",
                () -> valid().timeout(Duration.ZERO).build());
        assertMessage(
                "memory limit must be at least 4194304, got 1024",
                () -> ResourceLimits.none().withMemoryBytes(1024));
        assertMessage("uid out of range: -1", () -> EngineFixture.runAs(valid().build(), -1, 0));
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable executable) {
        assertEquals(
                message,
                assertThrows(IllegalArgumentException.class, executable).getMessage());
    }
}
