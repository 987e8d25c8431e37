package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.source.ArchiveFormat;
import dev.locald.source.SourceArchiveSniffer;
import dev.locald.testsupport.LayerTar;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceSyntaxTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "app",
                "library/app:1.0",
                "localhost/app",
                "localhost:5000/a/b/c:latest",
                "registry.example.com/team/app_name__x/y-z:v1.2.3-rc.1",
                "r.io:443/app@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "paketobuildpacks/builder-jammy-tiny",
                "127.0.0.1:5000/x:TAG_9"
            })
    void accepts(String reference) {
        assertEquals(Optional.empty(), ReferenceSyntax.problem(reference, ReferenceSyntax.Kind.ANY));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "App",
                "a//b",
                "a/",
                "/a",
                "a:",
                "a:-tag",
                "a:.tag",
                "a@sha256:abc",
                "a@sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "localhost:0/a",
                "localhost:70000/a",
                "-host.io/a",
                "host.io/a b",
                "a..b",
                "a/../b",
                "a/./b",
                "host.io/a:tag:tag",
                "a__-b",
                "ex@mple.com/a",
                "a:ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt"
            })
    void refuses(String reference) {
        assertTrue(ReferenceSyntax.problem(reference, ReferenceSyntax.Kind.ANY).isPresent(), reference);
    }

    @org.junit.jupiter.api.Test
    void targetsMayNotCarryADigest() {
        String digest = "r.io/app@sha256:" + "a".repeat(64);
        assertTrue(
                ReferenceSyntax.problem(digest, ReferenceSyntax.Kind.TAG_ONLY).isPresent());
        assertEquals(Optional.empty(), ReferenceSyntax.problem(digest, ReferenceSyntax.Kind.ANY));
    }

    @Test
    void archivesAreRecognisedByContent() throws Exception {
        byte[] tar = LayerTar.create().file("a.txt", "a").toBytes();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar);
        }
        ByteArrayOutputStream textGz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(textGz)) {
            out.write("plain".getBytes());
        }
        assertEquals(Optional.of(ArchiveFormat.TAR), SourceArchiveSniffer.sniff(write("a.zip", tar)));
        assertEquals(Optional.of(ArchiveFormat.TAR_GZIP), SourceArchiveSniffer.sniff(write("b", gz.toByteArray())));
        assertEquals(
                Optional.of(ArchiveFormat.ZIP),
                SourceArchiveSniffer.sniff(write("c", new byte[] {'P', 'K', 3, 4, 0, 0})));
        assertEquals(Optional.empty(), SourceArchiveSniffer.sniff(write("d", textGz.toByteArray())));
        assertEquals(Optional.empty(), SourceArchiveSniffer.sniff(write("e", "#!/bin/sh".getBytes())));
        assertEquals(Optional.empty(), SourceArchiveSniffer.sniff(write("f", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1})));
    }

    private Path write(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    /** Link-local registries never; registries on this machine only when allowed; everything else always. */
    @Test
    void whereARequestMaySendLocald() {
        for (String linkLocal : new String[] {"169.254.169.254/x", "[fe80::1]:5000/x:1", "169.254.0.1:80/a/b"}) {
            for (boolean allowLoopback : new boolean[] {true, false}) {
                assertTrue(
                        ReferenceSyntax.reachProblem(dev.locald.image.ImageReference.parse(linkLocal), allowLoopback)
                                .orElseThrow()
                                .contains("a link-local address (169.254.0.0/16, fe80::/10)"),
                        linkLocal);
            }
        }
        for (String local : new String[] {"127.0.0.1:5000/x", "localhost/x", "[::1]:5000/x", "0.0.0.0:5000/x"}) {
            assertEquals(
                    Optional.empty(),
                    ReferenceSyntax.reachProblem(dev.locald.image.ImageReference.parse(local), true),
                    local);
            assertTrue(
                    ReferenceSyntax.reachProblem(dev.locald.image.ImageReference.parse(local), false)
                            .orElseThrow()
                            .endsWith("unless locald.registry.allow-loopback=true"),
                    local);
        }
        for (String elsewhere : new String[] {"busybox", "10.0.0.1:5000/x", "registry.example/x", "[2001:db8::1]/x"}) {
            assertEquals(
                    Optional.empty(),
                    ReferenceSyntax.reachProblem(dev.locald.image.ImageReference.parse(elsewhere), false),
                    elsewhere);
        }
    }
}
