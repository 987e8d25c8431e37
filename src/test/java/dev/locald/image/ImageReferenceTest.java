package dev.locald.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {

    private static final String HEX = "a".repeat(64);

    @ParameterizedTest
    @CsvSource({
        "busybox, docker.io/library/busybox:latest",
        "busybox:1.36, docker.io/library/busybox:1.36",
        "library/busybox, docker.io/library/busybox:latest",
        "paketobuildpacks/builder-jammy-base, docker.io/paketobuildpacks/builder-jammy-base:latest",
        "index.docker.io/library/busybox, docker.io/library/busybox:latest",
        "docker.io/busybox, docker.io/library/busybox:latest",
        "127.0.0.1:5000/x/y:1, 127.0.0.1:5000/x/y:1",
        "localhost/app, localhost/app:latest",
        "localhost:5000/a/b/c:v1.2-rc_3, localhost:5000/a/b/c:v1.2-rc_3",
        "ghcr.io/org/app.name__x-y, ghcr.io/org/app.name__x-y:latest",
        "[::1]:5000/app:1, [::1]:5000/app:1",
        "[0:0:0:0:0:0:0:1]:5000/app:1, [::1]:5000/app:1",
        "[::0001]/app, [::1]/app:latest",
        "[FD00:0:0:0:0:0:0:AB]:443/app, [fd00::ab]:443/app:latest",
        "[2001:db8:0:0:1:0:0:1]:5000/app, [2001:db8::1:0:0:1]:5000/app:latest",
        "10.1.2.3:5000/app, 10.1.2.3:5000/app:latest",
    })
    void normalisesLikeDocker(String input, String canonical) {
        assertEquals(canonical, ImageReference.parse(input).toString());
        assertEquals(canonical, ImageReference.parse(canonical).toString(), "canonical form parses to itself");
    }

    @Test
    void splitsTagAndDigest() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/x/y:1@sha256:" + HEX);
        assertEquals("127.0.0.1:5000", ref.registry());
        assertEquals("x/y", ref.repository());
        assertEquals(Optional.of("1"), ref.tag());
        assertEquals(Optional.of(Digest.parse("sha256:" + HEX)), ref.digest());
        assertEquals("sha256:" + HEX, ref.manifestReference());
        assertEquals("127.0.0.1:5000/x/y:1@sha256:" + HEX, ref.toString());
    }

    @Test
    void digestOnlyHasNoTag() {
        ImageReference ref = ImageReference.parse("busybox@sha256:" + HEX);
        assertEquals(Optional.empty(), ref.tag());
        assertEquals("docker.io/library/busybox@sha256:" + HEX, ref.toString());
    }

    @Test
    void apiHostOfDockerHubIsRegistryOne() {
        assertEquals("registry-1.docker.io", ImageReference.parse("busybox").apiHost());
        assertEquals("127.0.0.1:5000", ImageReference.parse("127.0.0.1:5000/a").apiHost());
        assertEquals("127.0.0.1", ImageReference.parse("127.0.0.1:5000/a").host());
        assertEquals("::1", ImageReference.parse("[::1]:5000/a").host());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|empty",
                "'  '|empty",
                "Busybox|lower case",
                "127.0.0.1:5000/Team/app|lower case",
                "busybox:|empty tag",
                "busybox:-bad|invalid tag",
                "busybox:a/b|invalid",
                "busybox:has space|invalid tag",
                "127.0.0.1:5000/a/../b|'..'",
                "127.0.0.1:5000/a//b|empty path component",
                "127.0.0.1:5000/|no repository",
                "127.0.0.1:99999/a|invalid registry port",
                "busybox@sha512:abc|only sha256",
                "busybox@sha256:abc|invalid digest",
                "-leading/dash|invalid",
                "a/b_-c|invalid",
            })
    void refusesWithAClearMessage(String input, String expectedFragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(input));
        assertTrue(
                e.getMessage().contains(expectedFragment),
                () -> "message '" + e.getMessage() + "' should mention " + expectedFragment);
    }

    @Test
    void refusesOverlongNames() {
        String longName = "127.0.0.1:5000/" + "a".repeat(256);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(longName))
                .getMessage()
                .contains("longer than"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a".repeat(2000)))
                .getMessage()
                .contains("longer than"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("busybox:" + "t".repeat(129)));
    }

    @Test
    void withDigestPinsAndKeepsTag() {
        Digest d = Digest.parse("sha256:" + HEX);
        ImageReference ref = ImageReference.parse("localhost:5000/a:1").withDigest(d);
        assertEquals("localhost:5000/a:1@sha256:" + HEX, ref.toString());
    }

    /**
     * Address forms the resolver reads as another address than locald's checks see: refused with a sentence
     * (an IllegalArgumentException, which the API answers with a 400 naming the field).
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.1:5000/app|not an IPv4 address in dotted-quad form",
                "127.1/app|not an IPv4 address in dotted-quad form",
                "2130706433:5000/app|not an IPv4 address in dotted-quad form",
                "0177.0.0.1:5000/app|not an IPv4 address in dotted-quad form",
                "0x7f.0.0.1:5000/app|not an IPv4 address in dotted-quad form",
                "127.0.0.256:5000/app|not an IPv4 address in dotted-quad form",
                "1.2.3.4.5/app|not an IPv4 address in dotted-quad form",
                "[::ffff:127.0.0.1]:5000/app|an IPv4 address written as IPv6",
                "[::ffff:7f00:1]:5000/app|an IPv4 address written as IPv6",
                "[::127.0.0.1]/app|an IPv4 address written as IPv6",
                "[::]:5000/app|the unspecified address",
                "[1.2.3.4]:5000/app|an IPv4 address written as IPv6",
                "[:::1]:5000/app|invalid IPv6 registry host",
                "[1::2::3]:5000/app|invalid IPv6 registry host",
                "[1:2:3:4:5:6:7:8:9]:5000/app|invalid IPv6 registry host",
                "[12345::1]:5000/app|invalid IPv6 registry host",
                "[::1]x/app|invalid registry",
            })
    void ambiguousAddressFormsAreRefused(String input, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(input));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void bracketedIpv6LoopbackIsLoopback() {
        ImageReference ref = ImageReference.parse("[0:0::1]:5000/app");
        assertEquals("[::1]:5000", ref.registry());
        assertTrue(ref.isLoopback());
        assertTrue(RegistryHosts.isLoopback("[::1]"));
    }
}
