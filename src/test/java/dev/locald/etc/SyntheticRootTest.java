package dev.locald.etc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.image.NetworkMode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class SyntheticRootTest {

    static final CnbUser CNB = new CnbUser(1001, 1002);

    @TempDir
    Path dir;

    Path rootfs;
    Path out;
    SyntheticRoot syntheticRoot;

    @BeforeEach
    void setUp() throws Exception {
        rootfs = Files.createDirectories(dir.resolve("rootfs"));
        out = Files.createDirectories(dir.resolve("out"));
        Path host = dir.resolve("host-resolv.conf");
        Files.writeString(host, "nameserver 127.0.0.53\n");
        syntheticRoot = new SyntheticRoot(new ResolvConf(host, List.of("8.8.8.8")));
    }

    private PreparedRoot prepare(NetworkMode network) throws Exception {
        return syntheticRoot.prepare(
                rootfs,
                out,
                new SyntheticRoot.Request(CNB, "build-7", List.of(new HostEntry("reg", "10.0.0.1")), network));
    }

    @Test
    void imageWithoutEtcGetsEverythingSynthesized() throws Exception {
        PreparedRoot root = prepare(NetworkMode.NONE);
        assertEquals(
                List.of("/etc/passwd", "/etc/group", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname"),
                root.files().stream().map(SyntheticFile::destination).toList());
        for (SyntheticFile file : root.files()) {
            assertTrue(file.source().startsWith(out), "generated outside the rootfs");
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.source())));
        }
        assertEquals(
                "root:x:0:0:root:/root:/bin/sh\ncnb:x:1001:1002::/home/cnb:/bin/sh\n",
                Files.readString(out.resolve("passwd")));
        assertEquals("root:x:0:\ncnb:x:1002:\n", Files.readString(out.resolve("group")));
        assertEquals("nameserver 8.8.8.8\n", Files.readString(out.resolve("resolv.conf")));
        assertEquals("build-7\n", Files.readString(out.resolve("hostname")));
        assertTrue(Files.readString(out.resolve("hosts")).endsWith("127.0.0.1\tbuild-7\n10.0.0.1\treg\n"));
        assertEquals(Optional.of(new HomeMount("/home/cnb", 1001, 1002)), root.homeMount());
        assertEquals("/home/cnb", root.homeOf(1001));
        assertEquals("/root", root.homeOf(0));
        assertEquals("/", root.homeOf(4242));
        assertFalse(Files.exists(rootfs.resolve("etc")), "nothing written into the rootfs");
    }

    @Test
    void hostNetworkKeepsHostResolvers() throws Exception {
        prepare(NetworkMode.HOST);
        assertEquals("nameserver 127.0.0.53\n", Files.readString(out.resolve("resolv.conf")));
    }

    @Test
    void existingHomeIsNotMounted() throws Exception {
        Files.createDirectories(rootfs.resolve("home/cnb"));
        assertEquals(Optional.empty(), prepare(NetworkMode.NONE).homeMount());
    }

    @Test
    void symlinkedHomeIsNotTrusted() throws Exception {
        Files.createDirectories(rootfs.resolve("elsewhere/cnb"));
        Files.createSymbolicLink(rootfs.resolve("home"), Path.of("elsewhere"));
        assertTrue(prepare(NetworkMode.NONE).homeMount().isPresent());
    }

    @Test
    void invalidImagePasswdIsReplaced() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "garbage without colons\n");
        Files.writeString(rootfs.resolve("etc/group"), "staff:x:50:\n");
        prepare(NetworkMode.NONE);
        assertEquals(
                "root:x:0:0:root:/root:/bin/sh\ncnb:x:1001:1002::/home/cnb:/bin/sh\n",
                Files.readString(out.resolve("passwd")));
        assertEquals("staff:x:50:\nroot:x:0:\ncnb:x:1002:\n", Files.readString(out.resolve("group")));
    }

    @Test
    void unsafeMountTargetsAreReplacedByEmptyFilesNeverFollowed() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "host file");
        Files.createDirectories(rootfs.resolve("etc/hosts"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), victim);
        Files.createSymbolicLink(rootfs.resolve("etc/hostname"), Path.of("/bin/sh"));
        assertEquals(
                0,
                new ProcessBuilder("mkfifo", rootfs.resolve("etc/group").toString())
                        .start()
                        .waitFor());
        prepare(NetworkMode.NONE);
        for (String name : List.of("passwd", "group", "hosts", "hostname")) {
            Path target = rootfs.resolve("etc").resolve(name);
            assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS), name);
            assertEquals(0, Files.size(target), name);
        }
        assertEquals("host file", Files.readString(victim));
    }

    @Test
    void etcThatIsASymlinkIsRemovedNotFollowed() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "evil:x:0:0::/:/bin/sh\n");
        Files.createSymbolicLink(rootfs.resolve("etc"), outside);
        prepare(NetworkMode.NONE);
        assertFalse(Files.isSymbolicLink(rootfs.resolve("etc")));
        assertTrue(Files.exists(outside.resolve("passwd")), "the link target is untouched");
        assertFalse(Files.readString(out.resolve("passwd")).contains("evil"));
    }
}
