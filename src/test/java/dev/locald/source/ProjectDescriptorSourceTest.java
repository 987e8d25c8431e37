package dev.locald.source;

import static dev.locald.testsupport.GitHttpServer.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.testsupport.GitHttpServer;
import dev.locald.testsupport.LayerTar;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * project.toml read from each kind of source before it is written, and its include/exclude applied while
 * writing: tar.gz, zip, a server-side directory, and a real git repository served by {@code git http-backend}.
 */
class ProjectDescriptorSourceTest {

    static final CnbUser USER = new CnbUser(4242, 4343);
    static final String TOML = "[_]\nschema-version = \"0.2\"\n[io.buildpacks]\nexclude = [\"secret/\", \"*.log\"]\n";

    @TempDir
    Path tmp;

    private final SourceUnpacker unpacker = new SourceUnpacker(SourceLimits.defaults());

    @Test
    void tarGzipIsFilteredWhileUnpacked() throws Exception {
        byte[] tar = LayerTar.create()
                .dir("./")
                .file("./project.toml", TOML)
                .file("./app.sh", "echo hi")
                .dir("./secret")
                .file("./secret/key", "k")
                .file("./sub/x.log", "log")
                .file("./sub/keep.txt", "keep")
                .toBytes();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GzipCompressorOutputStream(gz)) {
            out.write(tar);
        }
        Path archive = Files.write(tmp.resolve("src.tgz"), gz.toByteArray());
        ProjectDescriptor d = ProjectDescriptor.parse(
                new String(unpacker.descriptor(archive, ArchiveFormat.TAR_GZIP).orElseThrow(), StandardCharsets.UTF_8));
        unpacker.unpack(archive, ArchiveFormat.TAR_GZIP, tmp.resolve("ws"), USER, d.filter());
        assertEquals(List.of("app.sh", "project.toml", "sub", "sub/keep.txt"), files(tmp.resolve("ws")));
    }

    @Test
    void zipIsFilteredWhileUnpacked() throws Exception {
        Path archive = tmp.resolve("src.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(Files.newOutputStream(archive))) {
            for (String[] e : List.of(
                    new String[] {"project.toml", TOML},
                    new String[] {"a.log", "x"},
                    new String[] {"secret/key", "k"},
                    new String[] {"main.go", "package main"})) {
                zip.putArchiveEntry(new ZipArchiveEntry(e[0]));
                zip.write(e[1].getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        ProjectDescriptor d = ProjectDescriptor.parse(
                new String(unpacker.descriptor(archive, ArchiveFormat.ZIP).orElseThrow(), StandardCharsets.UTF_8));
        unpacker.unpack(archive, ArchiveFormat.ZIP, tmp.resolve("ws"), USER, d.filter());
        assertEquals(List.of("main.go", "project.toml"), files(tmp.resolve("ws")));
    }

    @Test
    void directoryIsFilteredWhileCopiedAndADescriptorLinkIsRefused() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve(ProjectDescriptor.FILE), TOML);
        Files.createDirectories(src.resolve("secret/deep"));
        Files.writeString(src.resolve("secret/deep/key"), "k");
        Files.writeString(src.resolve("main.py"), "print()");
        ProjectDescriptor d =
                ProjectDescriptor.parse(new String(unpacker.descriptor(src).orElseThrow(), StandardCharsets.UTF_8));
        unpacker.copyDirectory(src, tmp.resolve("ws"), USER, d.filter());
        assertEquals(List.of("main.py", "project.toml"), files(tmp.resolve("ws")));

        Path linked = Files.createDirectories(tmp.resolve("linked"));
        Files.createSymbolicLink(linked.resolve(ProjectDescriptor.FILE), src.resolve(ProjectDescriptor.FILE));
        SourceArchiveException e = org.junit.jupiter.api.Assertions.assertThrows(
                SourceArchiveException.class, () -> unpacker.descriptor(linked));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void gitSourceDescriptorIsReadBeforeTheCommitIsWritten(@TempDir Path served) throws Exception {
        Path work = Files.createDirectory(served.resolve("work"));
        git(work, "init", "-q");
        Files.createDirectories(work.resolve("svc/secret"));
        Files.writeString(work.resolve("svc/project.toml"), "[build]\ninclude = [\"src/\"]\n");
        Files.createDirectories(work.resolve("svc/src"));
        Files.writeString(work.resolve("svc/src/app.js"), "1");
        Files.writeString(work.resolve("svc/secret/key"), "k");
        Files.writeString(work.resolve("svc/README.md"), "r");
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "one");
        git(served, "clone", "-q", "--bare", "work", "app.git");
        try (GitHttpServer server = GitHttpServer.start(served)) {
            GitSource source = new GitSource(server.url("app.git"), "main", Optional.of("svc"));
            GitFetcher.Listener quiet = new GitFetcher.Listener() {
                @Override
                public void line(String text) {}

                @Override
                public boolean stopped() {
                    return false;
                }
            };
            try (GitFetcher.Fetched fetched =
                    unpacker.openGit(source, Optional.empty(), tmp.resolve("git"), quiet, Duration.ofMinutes(1))) {
                ProjectDescriptor d =
                        ProjectDescriptor.parse(new String(fetched.descriptor().orElseThrow(), StandardCharsets.UTF_8));
                assertEquals(List.of("src/"), d.include());
                fetched.write(tmp.resolve("ws"), USER, d.filter());
            }
            assertEquals(List.of("project.toml", "src", "src/app.js"), files(tmp.resolve("ws")));
            assertTrue(Files.notExists(tmp.resolve("git")), "the scratch repository is removed");
        }
    }

    private static List<String> files(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !p.equals(root))
                    .map(p -> root.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }
}
