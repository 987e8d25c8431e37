package dev.locald.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.testsupport.RawTar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source archives built entry by entry, friendly and hostile, unpacked for real into a temp dir. */
class SourceUnpackerTest {

    static final CnbUser USER = new CnbUser(4242, 4343);

    @TempDir
    Path tmp;

    Path workspace;
    Path outside;
    SourceUnpacker unpacker = new SourceUnpacker(SourceLimits.defaults());

    @BeforeEach
    void setUp() throws IOException {
        // tmp/build/ws is the workspace; tmp/outside and tmp/build/sibling must never be touched
        Files.createDirectory(tmp.resolve("build"));
        workspace = tmp.resolve("build/ws");
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "host file");
        Files.createDirectory(tmp.resolve("build/sibling"));
    }

    // ---- archive builders -------------------------------------------------------------------

    /** A tar built from entries; {@code tar(e -> ...)} style via a tiny DSL. */
    static final class Tar {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TarArchiveOutputStream out;

        Tar() {
            out = new TarArchiveOutputStream(bytes);
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Tar dir(String name, int mode) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(040000 | mode);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar file(String name, int mode, String content) throws IOException {
            return file(name, mode, content.getBytes(StandardCharsets.UTF_8));
        }

        Tar file(String name, int mode, byte[] content) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setMode(0100000 | mode);
            e.setSize(content.length);
            out.putArchiveEntry(e);
            out.write(content);
            out.closeArchiveEntry();
            return this;
        }

        Tar special(String name, byte type, String link) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            if (link != null) {
                e.setLinkName(link);
            }
            e.setMode(type == TarConstants.LF_SYMLINK ? 0120777 : 0100644);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar symlink(String name, String target) throws IOException {
            return special(name, TarConstants.LF_SYMLINK, target);
        }

        Tar hardlink(String name, String target) throws IOException {
            return special(name, TarConstants.LF_LINK, target);
        }

        byte[] bytes() throws IOException {
            out.finish();
            out.close();
            return bytes.toByteArray();
        }
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(b)) {
            gz.write(raw);
        }
        return b.toByteArray();
    }

    interface ZipBody {
        void write(ZipArchiveOutputStream zip) throws IOException;
    }

    static byte[] zip(ZipBody body) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(b)) {
            body.write(zip);
        }
        return b.toByteArray();
    }

    static void zipEntry(ZipArchiveOutputStream zip, String name, int unixMode, byte[] content) throws IOException {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        if (unixMode != 0) {
            e.setUnixMode(unixMode);
        }
        zip.putArchiveEntry(e);
        zip.write(content);
        zip.closeArchiveEntry();
    }

    Path archive(byte[] bytes) throws IOException {
        return Files.write(tmp.resolve("source-" + System.nanoTime()), bytes);
    }

    /** Unpacks as a build does: in the format the API's sniffer found; an unrecognised archive is refused. */
    ArchiveFormat unpack(Path archive, Path ws) throws SourceArchiveException, IOException {
        ArchiveFormat format = SourceArchiveSniffer.sniff(archive)
                .orElseThrow(() -> new SourceArchiveException("the source is not a tar, tar.gz or zip archive"));
        unpacker.unpack(archive, format, ws, USER);
        return format;
    }

    SourceArchiveException refused(byte[] archiveBytes, String expected) throws IOException {
        return refused(archiveBytes, null, expected);
    }

    /** Refused when unpacked in {@code format}, or in the sniffed format when it is null. */
    SourceArchiveException refused(byte[] archiveBytes, ArchiveFormat format, String expected) throws IOException {
        Path a = archive(archiveBytes);
        SourceArchiveException e = assertThrows(SourceArchiveException.class, () -> {
            if (format == null) {
                unpack(a, workspace);
            } else {
                unpacker.unpack(a, format, workspace, USER);
            }
        });
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
        assertFalse(Files.exists(workspace, LinkOption.NOFOLLOW_LINKS), "the partial workspace is deleted");
        assertOutsideUntouched();
        return e;
    }

    void assertOutsideUntouched() throws IOException {
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count(), "nothing new next to the host file");
        }
        assertEquals("host file", Files.readString(outside.resolve("passwd")));
        try (Stream<Path> s = Files.list(tmp.resolve("build"))) {
            assertEquals(
                    java.util.List.of(tmp.resolve("build/sibling")),
                    s.filter(p -> !p.equals(workspace)).toList());
        }
        try (Stream<Path> s = Files.list(tmp.resolve("build/sibling"))) {
            assertEquals(0, s.count());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(
                    s.allMatch(p -> p.getFileName().toString().startsWith("source-")
                            || p.equals(outside)
                            || p.equals(tmp.resolve("build"))),
                    "nothing new in the temp root");
        }
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    // ---- friendly archives -----------------------------------------------------------------

    byte[] friendlyTar() throws IOException {
        return new Tar()
                .dir("./", 0755)
                .dir("app", 0700)
                .file("app/run.sh", 0755, "#!/bin/sh\necho hi\n")
                .file("app/setuid", 04755, "x")
                .file("package.json", 0644, "{}")
                .symlink("app/link-to-pkg", "../package.json")
                .symlink("current", "app")
                .hardlink("app/hard", "package.json")
                .file("deep/er/file.txt", 0600, "implicit parents")
                .bytes();
    }

    void assertFriendly() throws IOException {
        assertEquals("#!/bin/sh\necho hi\n", Files.readString(workspace.resolve("app/run.sh")));
        assertEquals("rwxr-xr-x", mode(workspace.resolve("app/run.sh")));
        assertEquals("rwxr-xr-x", mode(workspace.resolve("app/setuid")), "setuid dropped");
        assertEquals("rwx------", mode(workspace.resolve("app")));
        assertEquals(
                "../package.json",
                Files.readSymbolicLink(workspace.resolve("app/link-to-pkg")).toString());
        assertEquals("app", Files.readSymbolicLink(workspace.resolve("current")).toString());
        assertEquals("{}", Files.readString(workspace.resolve("app/hard")));
        assertEquals(
                Files.getAttribute(workspace.resolve("package.json"), "unix:ino"),
                Files.getAttribute(workspace.resolve("app/hard"), "unix:ino"),
                "a real hardlink");
        assertEquals("implicit parents", Files.readString(workspace.resolve("deep/er/file.txt")));
        try (Stream<Path> all = Files.walk(workspace)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                assertEquals(4242, uid(p), p + " owned by the CNB user");
                assertEquals(4343, Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS), p.toString());
            }
        }
    }

    @Test
    void unpacksAPlainTar() throws Exception {
        assertEquals(ArchiveFormat.TAR, unpack(archive(friendlyTar()), workspace));
        assertFriendly();
    }

    @Test
    void unpacksATarGzRecognisedByMagicNotName() throws Exception {
        Path a = Files.write(tmp.resolve("source-app.zip"), gzip(friendlyTar()));
        assertEquals(ArchiveFormat.TAR_GZIP, unpack(a, workspace));
        assertFriendly();
    }

    @Test
    void unpacksAZipWithUnixModesAndSymlinks() throws Exception {
        byte[] z = zip(zip -> {
            zipEntry(zip, "bin/", 040755, new byte[0]);
            zipEntry(zip, "bin/start", 0100755, "#!/bin/sh".getBytes());
            zipEntry(zip, "README.md", 0, "plain".getBytes());
            zipEntry(zip, "bin/readme", 0120777, "../README.md".getBytes());
        });
        assertEquals(ArchiveFormat.ZIP, unpack(archive(z), workspace));
        assertEquals("rwxr-xr-x", mode(workspace.resolve("bin/start")));
        assertEquals("rw-r--r--", mode(workspace.resolve("README.md")));
        assertEquals(
                "../README.md",
                Files.readSymbolicLink(workspace.resolve("bin/readme")).toString());
        assertEquals(4242, uid(workspace.resolve("bin/readme")));
    }

    @Test
    void laterEntriesReplaceEarlierFilesAndLinksWithoutWritingThrough() throws Exception {
        byte[] t = new Tar()
                .file("target.txt", 0644, "original")
                .symlink("a", "target.txt")
                .file("a", 0644, "replaced the link")
                .file("dup", 0644, "first")
                .file("dup", 0644, "second")
                .bytes();
        unpack(archive(t), workspace);
        assertEquals("original", Files.readString(workspace.resolve("target.txt")));
        assertFalse(Files.isSymbolicLink(workspace.resolve("a")));
        assertEquals("replaced the link", Files.readString(workspace.resolve("a")));
        assertEquals("second", Files.readString(workspace.resolve("dup")));
    }

    @Test
    void anEmptyExistingWorkspaceIsUsedAndANonEmptyOneIsLeftAlone() throws Exception {
        Files.createDirectory(workspace);
        unpack(archive(new Tar().file("f", 0644, "x").bytes()), workspace);
        assertEquals("x", Files.readString(workspace.resolve("f")));
        SourceArchiveException e = assertThrows(
                SourceArchiveException.class,
                () -> unpack(archive(new Tar().file("g", 0644, "y").bytes()), workspace));
        assertTrue(e.getMessage().contains("is not empty"), e.getMessage());
        assertTrue(Files.exists(workspace.resolve("f")), "a workspace it did not create is not deleted");
    }

    @Test
    void unpacksWhatRealTarAndZipToolsWrite() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("real-src/lib"));
        Files.writeString(src.resolve("a.txt"), "A");
        Files.createLink(src.resolve("hard.txt"), src.resolve("a.txt"));
        Files.createSymbolicLink(src.resolve("rel"), Path.of("a.txt"));
        Path tgz = tmp.resolve("source-real.tgz");
        Process p = new ProcessBuilder("tar", "-C", tmp.resolve("real-src").toString(), "-czf", tgz.toString(), ".")
                .redirectErrorStream(true)
                .start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        assertEquals(ArchiveFormat.TAR_GZIP, unpack(tgz, workspace));
        assertEquals("A", Files.readString(workspace.resolve("lib/hard.txt")));
        assertEquals(
                Files.getAttribute(workspace.resolve("lib/a.txt"), "unix:ino"),
                Files.getAttribute(workspace.resolve("lib/hard.txt"), "unix:ino"));
        assertEquals(
                "a.txt", Files.readSymbolicLink(workspace.resolve("lib/rel")).toString());
    }

    // ---- hostile archives ------------------------------------------------------------------

    @Test
    void traversalIsRefused() throws Exception {
        refused(
                new Tar()
                        .file("ok.txt", 0644, "fine")
                        .file("../sibling/evil", 0644, "x")
                        .bytes(),
                "contains '..'");
        refused(new Tar().file("a/../../outside/passwd", 0644, "x").bytes(), "contains '..'");
    }

    @Test
    void absolutePathsAreRefused() throws Exception {
        refused(
                new Tar()
                        .file("/" + outside.resolve("evil").toString().substring(1), 0644, "x")
                        .bytes(),
                "absolute path");
    }

    @Test
    void symlinkEscapesAreRefused() throws Exception {
        refused(new Tar().symlink("up", "../../outside").bytes(), "points outside the workspace");
        refused(new Tar().symlink("abs", outside.toString()).bytes(), "absolute target");
        refused(new Tar().dir("a", 0755).symlink("a/b", "../x/../..").bytes(), "points outside the workspace");
    }

    @Test
    void writingThroughAnySymlinkIsRefused() throws Exception {
        // even a link that stays inside is never written through
        refused(
                new Tar()
                        .dir("real", 0755)
                        .symlink("alias", "real")
                        .file("alias/file", 0644, "x")
                        .bytes(),
                "goes through the symlink 'alias'");
        refused(
                new Tar()
                        .dir("real", 0755)
                        .symlink("alias", "real")
                        .dir("alias/sub", 0755)
                        .bytes(),
                "goes through the symlink");
    }

    @Test
    void hardlinkEscapesAreRefused() throws Exception {
        refused(new Tar().hardlink("pw", "../../outside/passwd").bytes(), "points outside the workspace");
        refused(new Tar().hardlink("pw", outside.resolve("passwd").toString()).bytes(), "points outside the workspace");
        refused(
                new Tar()
                        .hardlink("pw", "not-yet-written")
                        .file("not-yet-written", 0644, "x")
                        .bytes(),
                "does not point at a regular file written earlier");
        refused(
                new Tar()
                        .file("f", 0644, "x")
                        .symlink("l", "f")
                        .hardlink("h", "l")
                        .bytes(),
                "does not point at a regular file written earlier");
        refused(
                new Tar().dir("d", 0755).hardlink("h", "d").bytes(),
                "does not point at a regular file written earlier");
        assertEquals(
                1,
                ((Number) Files.getAttribute(outside.resolve("passwd"), "unix:nlink")).intValue(),
                "no new link to the host file");
    }

    @Test
    void zipSlipIsRefused() throws Exception {
        refused(zip(z -> zipEntry(z, "../../outside/evil.txt", 0100644, "x".getBytes())), "contains '..'");
        // commons-compress turns zip backslashes into '/', so the '..' check catches it; tars keep them
        refused(zip(z -> zipEntry(z, "..\\..\\outside\\evil.txt", 0100644, "x".getBytes())), "contains '..'");
        refused(new Tar().file("..\\..\\outside\\evil.txt", 0644, "x").bytes(), "backslash");
        refused(zip(z -> zipEntry(z, "/tmp/evil.txt", 0100644, "x".getBytes())), "absolute path");
        refused(zip(z -> zipEntry(z, "link", 0120777, "../../outside".getBytes())), "points outside the workspace");
    }

    @Test
    void devicesAndFifosAreRefused() throws Exception {
        refused(
                new Tar()
                        .file("ok", 0644, "x")
                        .special("dev/mem", TarConstants.LF_CHR, null)
                        .bytes(),
                "device node or FIFO");
        refused(new Tar().special("dev/sda", TarConstants.LF_BLK, null).bytes(), "device node or FIFO");
        refused(new Tar().special("pipe", TarConstants.LF_FIFO, null).bytes(), "device node or FIFO");
        refused(zip(z -> zipEntry(z, "pipe", 0010644, new byte[0])), "device node, FIFO or socket");
    }

    /** What the API's header scan finds at submission is what the unpacker would refuse, in the same words. */
    @Test
    void theHeaderScanFindsHostileEntriesWithoutUnpacking() throws Exception {
        Map<byte[], String> hostile = new java.util.LinkedHashMap<>();
        hostile.put(new Tar().file("ok", 0644, "x").file("../evil", 0644, "x").bytes(), "contains '..'");
        hostile.put(new Tar().file("/etc/evil", 0644, "x").bytes(), "absolute path");
        hostile.put(new Tar().symlink("up", "../../outside").bytes(), "points outside the workspace");
        hostile.put(new Tar().symlink("abs", "/etc/passwd").bytes(), "absolute target");
        hostile.put(new Tar().hardlink("pw", "../../etc/passwd").bytes(), "points outside the workspace");
        hostile.put(new Tar().special("dev/mem", TarConstants.LF_CHR, null).bytes(), "device node or FIFO");
        hostile.put(new Tar().special("pipe", TarConstants.LF_FIFO, null).bytes(), "device node or FIFO");
        hostile.put(
                gzip(new Tar()
                        .file("big", 0644, new byte[100_000])
                        .symlink("up", "../..")
                        .bytes()),
                "points outside the workspace");
        hostile.put(zip(z -> zipEntry(z, "../../outside/evil.txt", 0100644, "x".getBytes())), "contains '..'");
        hostile.put(zip(z -> zipEntry(z, "link", 0120777, "../../outside".getBytes())), "points outside");
        hostile.put(zip(z -> zipEntry(z, "pipe", 0010644, new byte[0])), "device node or FIFO");
        for (Map.Entry<byte[], String> h : hostile.entrySet()) {
            Path a = archive(h.getKey());
            ArchiveFormat format = SourceArchiveSniffer.sniff(a).orElseThrow();
            Optional<String> found = SourceArchiveSniffer.hostileEntry(a, format);
            assertTrue(found.isPresent() && found.get().contains(h.getValue()), h.getValue() + ": " + found);
        }
        // fine archives, and what only unpacking can tell (link order, truncation), pass the scan
        for (byte[] fine : List.of(
                new Tar()
                        .dir("a", 0755)
                        .file("a/f", 0644, "x")
                        .symlink("a/l", "f")
                        .hardlink("h", "a/f")
                        .bytes(),
                gzip(new Tar().file("f", 0644, "x").bytes()),
                zip(z -> zipEntry(z, "link", 0120777, "target".getBytes())),
                new Tar()
                        .hardlink("pw", "not-yet-written")
                        .file("not-yet-written", 0644, "x")
                        .bytes(),
                java.util.Arrays.copyOf(
                        new Tar().file("f", 0644, new byte[4096]).bytes(), 1024))) {
            Path a = archive(fine);
            assertEquals(
                    Optional.empty(),
                    SourceArchiveSniffer.hostileEntry(
                            a, SourceArchiveSniffer.sniff(a).orElseThrow()));
        }
    }

    @Test
    void sparseEntriesAreRefusedNamingTheEntry() throws Exception {
        // commons-compress would expand the hole into 256 MiB of written zeros from a few blocks
        byte[] tail = "tail".getBytes(StandardCharsets.UTF_8);
        long hole = 256L << 20;
        refused(RawTar.create().oldGnuSparse("big", hole, tail).toBytes(), "'big' is an old-GNU sparse file");
        refused(RawTar.create().paxSparse00("big", hole, tail).toBytes(), "'big' is a sparse file");
        refused(RawTar.create().paxSparse01("big", hole, tail).toBytes(), "'big' is a sparse file");
        refused(gzip(RawTar.create().paxSparse10("big", hole, tail).toBytes()), "'big' is a sparse file");
    }

    @Test
    void aHeaderWithAWrongChecksumIsRefused() throws Exception {
        RawTar.Header bad = new RawTar.Header("b", (byte) '0');
        bad.size = 1;
        bad.checksumError = 7;
        refused(
                RawTar.create()
                        .file("a", new byte[] {'a'})
                        .entry(bad, new byte[] {'b'})
                        .toBytes(),
                "tar header of 'b' has a wrong checksum");
    }

    @Test
    void bombsAreStoppedByExpandedSizeRatioAndEntryCount() throws Exception {
        unpacker = new SourceUnpacker(new SourceLimits(100, 4L << 20, 1_000_000));
        byte[] zeros = new byte[8 << 20];
        refused(gzip(new Tar().file("big", 0644, zeros).bytes()), "expands to more than 4194304 bytes");
        unpacker = new SourceUnpacker(new SourceLimits(100, 1L << 30, 50));
        refused(gzip(new Tar().file("big", 0644, zeros).bytes()), "likely archive bomb");
        refused(zip(z -> zipEntry(z, "big", 0100644, zeros)), "likely archive bomb");
        Tar many = new Tar();
        for (int i = 0; i < 101; i++) {
            many.file("f" + i, 0644, "");
        }
        refused(many.bytes(), "more than 100 entries");
    }

    @Test
    void truncatedArchivesAreErrors() throws Exception {
        byte[] tar = new Tar()
                .file("a", 0644, new byte[5000])
                .file("b", 0644, "after")
                .bytes();
        refused(Arrays.copyOf(tar, 512 + 2048), "truncated or corrupt");
        // cut exactly after a complete entry: only the missing end-of-archive blocks give it away
        refused(Arrays.copyOf(tar, 512 + 5120), "ends without its end-of-archive blocks");
        // a single zero block (some writers omit the second) is a proper end
        byte[] one = new Tar().file("a", 0644, "x").bytes();
        Path oneBlock = archive(Arrays.copyOf(one, 512 + 512 + 512));
        unpack(oneBlock, workspace);
        assertEquals("x", Files.readString(workspace.resolve("a")));
        TreeDeleter.deleteTree(workspace);
        byte[] tgz = gzip(new Tar().file("a", 0644, randomBytes(100_000)).bytes());
        refused(Arrays.copyOf(tgz, tgz.length / 2), "truncated or corrupt");
        byte[] z = zip(zz -> zipEntry(zz, "a", 0100644, randomBytes(100_000)));
        refused(Arrays.copyOf(z, z.length - 30), "truncated or corrupt");
    }

    @Test
    void typeConflictsAreRefused() throws Exception {
        refused(
                new Tar().file("a", 0644, "x").file("a/b", 0644, "y").bytes(),
                "needs 'a' to be a directory, but it is a file");
        refused(new Tar().dir("d", 0755).file("d", 0644, "y").bytes(), "would replace a directory");
        refused(new Tar().file("f", 0644, "y").dir("f", 0755).bytes(), "earlier entry created it as a file");
    }

    @Test
    void nonArchivesAreRefused() throws Exception {
        refused("just some text, not an archive".getBytes(), "not a tar, tar.gz or zip archive");
        // the API's sniffer refuses it already; unpacking in the format it claims checks the content again
        refused(
                gzip("gzip but no tar inside".repeat(40).getBytes()),
                ArchiveFormat.TAR_GZIP,
                "does not contain a tar archive");
        refused("just some text, not an archive".getBytes(), ArchiveFormat.TAR, "not a tar, tar.gz or zip archive");
        refused(new byte[0], "not a tar, tar.gz or zip archive");
    }

    @Test
    void aFullDiskIsTheServersProblemNotTheArchives() throws Exception {
        Path small = Files.createDirectory(tmp.resolve("build/small"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(m.waitFor() == 0, "needs permission to mount a tmpfs");
        try {
            Path ws = small.resolve("ws");
            Path a = archive(new Tar().file("big", 0644, randomBytes(1 << 20)).bytes());
            IOException e = assertThrows(
                    IOException.class, () -> unpack(a, ws), "a server-side IOException, not a SourceArchiveException");
            assertTrue(e.getMessage().contains("No space left"), e.getMessage());
            assertFalse(Files.exists(ws, LinkOption.NOFOLLOW_LINKS), "partial workspace deleted");
        } finally {
            new ProcessBuilder("umount", small.toString()).start().waitFor();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(42).nextBytes(b);
        return b;
    }

    // ---- server-side directories -----------------------------------------------------------

    @Test
    void copiesADirectoryKeepingModesAndInsideLinks() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src-dir"));
        Files.createDirectories(src.resolve("node_modules/.bin"));
        Files.writeString(src.resolve("index.js"), "console.log(1)");
        Path tool = Files.writeString(src.resolve("node_modules/tool.js"), "tool");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(src.resolve("node_modules/.bin/tool"), Path.of("../tool.js"));
        unpacker.copyDirectory(src, workspace, USER);
        assertEquals("console.log(1)", Files.readString(workspace.resolve("index.js")));
        assertEquals("rwxr-x---", mode(workspace.resolve("node_modules/tool.js")));
        assertEquals(
                "../tool.js",
                Files.readSymbolicLink(workspace.resolve("node_modules/.bin/tool"))
                        .toString());
        assertEquals(4242, uid(workspace.resolve("node_modules/.bin/tool")));
        assertEquals(4242, uid(workspace));
        Files.walk(src).close();
    }

    @Test
    void directoryLinksOutOfTheSourceAreRefusedAndNotFollowed() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src-dir"));
        Files.writeString(src.resolve("ok"), "x");
        Files.createSymbolicLink(src.resolve("escape"), Path.of("../outside"));
        SourceArchiveException e =
                assertThrows(SourceArchiveException.class, () -> unpacker.copyDirectory(src, workspace, USER));
        assertTrue(e.getMessage().contains("points outside the workspace"), e.getMessage());
        assertFalse(Files.exists(workspace, LinkOption.NOFOLLOW_LINKS));

        Files.delete(src.resolve("escape"));
        Files.createSymbolicLink(src.resolve("abs"), outside.resolve("passwd"));
        e = assertThrows(SourceArchiveException.class, () -> unpacker.copyDirectory(src, workspace, USER));
        assertTrue(e.getMessage().contains("absolute target"), e.getMessage());
        assertFalse(Files.exists(workspace, LinkOption.NOFOLLOW_LINKS));
        assertOutsideUntouchedIgnoringSource(src);
    }

    @Test
    void specialFilesInTheSourceAndASymlinkedSourceRootAreRefused() throws Exception {
        Path src = Files.createDirectory(tmp.resolve("src-dir"));
        assertEquals(
                0,
                new ProcessBuilder("mkfifo", src.resolve("pipe").toString())
                        .start()
                        .waitFor());
        SourceArchiveException e =
                assertThrows(SourceArchiveException.class, () -> unpacker.copyDirectory(src, workspace, USER));
        assertTrue(e.getMessage().contains("device, FIFO or socket"), e.getMessage());
        Path linkRoot = Files.createSymbolicLink(tmp.resolve("src-link"), src);
        e = assertThrows(SourceArchiveException.class, () -> unpacker.copyDirectory(linkRoot, workspace, USER));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }

    private void assertOutsideUntouchedIgnoringSource(Path src) throws IOException {
        assertEquals("host file", Files.readString(outside.resolve("passwd")));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void workspaceCannotBeASymlink() throws Exception {
        Path link = Files.createSymbolicLink(workspace, outside);
        assertThrows(
                IOException.class,
                () -> unpack(archive(new Tar().file("f", 0644, "x").bytes()), link));
        assertOutsideUntouched();
    }

    static void write(OutputStream out, byte[] b) throws IOException {
        out.write(b);
    }
}
