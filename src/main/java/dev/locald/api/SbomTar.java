package dev.locald.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A build's kept SBOM directory as a tar: directories and regular files in name order (paths as under
 * {@code /layers/sbom}, for example {@code launch/<buildpack>/sbom.cdx.json}), mtime 0, mode 0644/0755.
 */
final class SbomTar {
    private SbomTar() {}

    static void write(Path dir, OutputStream out) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path path : paths) {
                BasicFileAttributes attrs =
                        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String name = dir.relativize(path).toString();
                if (attrs.isDirectory()) {
                    TarArchiveEntry entry = new TarArchiveEntry(name + "/");
                    entry.setMode(0755);
                    entry.setModTime(0);
                    tar.putArchiveEntry(entry);
                    tar.closeArchiveEntry();
                } else if (attrs.isRegularFile()) {
                    TarArchiveEntry entry = new TarArchiveEntry(name);
                    entry.setMode(0644);
                    entry.setModTime(0);
                    entry.setSize(attrs.size());
                    tar.putArchiveEntry(entry);
                    try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                }
            }
            tar.finish();
        }
    }
}
