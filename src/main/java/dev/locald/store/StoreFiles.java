package dev.locald.store;

import dev.locald.fs.TreeDeleter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Small file-system steps the stores share: unique temp names and fsync of files and directories. */
final class StoreFiles {

    private StoreFiles() {}

    static String randomSuffix() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Deletes (without following links) the entries of {@code dir} whose own mtime is before {@code cutoff}. */
    /** Deletes every entry of a temp dir (no link followed); only safe when nothing writes there. */
    static int sweepAll(Path dir) throws IOException {
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> entries = java.nio.file.Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                dev.locald.fs.TreeDeleter.deleteTree(entry);
                removed++;
            }
        }
        return removed;
    }

    static int sweepOlderThan(Path dir, Instant cutoff) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Instant modified;
                try {
                    modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS)
                            .toInstant();
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (modified.isBefore(cutoff)) {
                    TreeDeleter.deleteTree(entry);
                    removed++;
                }
            }
        }
        return removed;
    }

    static void fsync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
