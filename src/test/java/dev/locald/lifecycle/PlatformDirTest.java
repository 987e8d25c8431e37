package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformDirTest {

    static final CnbUser USER = new CnbUser(4242, 4343);

    @TempDir
    Path tmp;

    @Test
    void writesOneFilePerVariableWithExactBytesOwnedByTheCnbUser() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BP_NODE_VERSION", "20.*");
        env.put("MULTI", "line one\nline two\n");
        env.put("EMPTY", "");
        env.put("UNICODE", "grüße ☃");
        Path envDir = PlatformDir.write(tmp.resolve("platform"), env, USER);
        assertEquals(tmp.resolve("platform/env"), envDir);
        for (Map.Entry<String, String> e : env.entrySet()) {
            Path f = envDir.resolve(e.getKey());
            assertArrayEquals(e.getValue().getBytes(StandardCharsets.UTF_8), Files.readAllBytes(f), e.getKey());
            assertEquals(4242, Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(4343, Files.getAttribute(f, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        }
        assertEquals(4242, Files.getAttribute(envDir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(4242, Files.getAttribute(tmp.resolve("platform"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        try (var list = Files.list(envDir)) {
            assertEquals(4, list.count());
        }
    }

    @Test
    void noVariablesStillMakesTheEnvDir() throws IOException {
        Path envDir = PlatformDir.write(tmp.resolve("platform"), Map.of(), USER);
        assertTrue(Files.isDirectory(envDir));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CNB_REGISTRY_AUTH",
                "CNB_PLATFORM_API",
                "cnb_registry_auth",
                "LD_PRELOAD",
                "../../cnb/lifecycle/builder",
                "A=B",
                "",
                "1ABC",
                "A/B",
                "..",
                ".",
                "A B",
                "A\u0000B",
                "NAME\n"
            })
    void refusedNamesWriteNothing(String name) {
        Path platform = tmp.resolve("platform");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GOOD", "1");
        env.put(name, "secret-value");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PlatformDir.write(platform, env, USER));
        assertTrue(e.getMessage().startsWith("env name"), e.getMessage());
        assertFalse(Files.exists(platform, LinkOption.NOFOLLOW_LINKS), "validated before anything is written");
    }

    @Test
    void registryAuthIsNeverWrittenEvenAmongValidNames() throws IOException {
        Map<String, String> env = Map.of("CNB_REGISTRY_AUTH", "{\"r\":\"Basic eA==\"}", "OK", "1");
        assertThrows(IllegalArgumentException.class, () -> PlatformDir.write(tmp.resolve("p"), env, USER));
        assertFalse(Files.exists(tmp.resolve("p/env/CNB_REGISTRY_AUTH"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tmp.resolve("p")));
    }

    @Test
    void nulInValueIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PlatformDir.write(tmp.resolve("p"), Map.of("A", "x\u0000y"), USER));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    }

    @Test
    void aSymlinkedPlatformDirOrEnvIsNotFollowed() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path platformLink = Files.createSymbolicLink(tmp.resolve("platform"), outside);
        IOException e = assertThrows(IOException.class, () -> PlatformDir.write(platformLink, Map.of("A", "1"), USER));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());

        Path platform = Files.createDirectory(tmp.resolve("platform2"));
        Files.createSymbolicLink(platform.resolve("env"), outside);
        IOException e2 = assertThrows(IOException.class, () -> PlatformDir.write(platform, Map.of("A", "1"), USER));
        assertTrue(e2.getMessage().contains("already has an env entry"), e2.getMessage());
        try (var list = Files.list(outside)) {
            assertEquals(0, list.count(), "nothing written through the links");
        }
    }

    @Test
    void aPreexistingFileIsNeverOverwritten() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path victim = Files.writeString(tmp.resolve("victim"), "keep");
        Files.createSymbolicLink(dir.resolve("A"), victim);
        IOException e = assertThrows(
                IOException.class,
                () -> OwnedFiles.writeNew(dir, "A", "x".getBytes(), "rw-r--r--", USER.uid(), USER.gid()));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("keep", Files.readString(victim));
    }
}
