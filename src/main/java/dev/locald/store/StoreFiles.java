package dev.locald.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Small file-system steps the stores share: unique temp names and fsync of files and directories. */
final class StoreFiles {

    private StoreFiles() {
    }

    static String randomSuffix() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Deletes (without following links) the entries of {@code dir} whose own mtime is before {@code cutoff}. */
    static int sweepOlderThan(Path dir, java.time.Instant cutoff) throws IOException {
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> entries = java.nio.file.Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                java.time.Instant modified;
                try {
                    modified = java.nio.file.Files.getLastModifiedTime(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            .toInstant();
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                }
                if (modified.isBefore(cutoff)) {
                    dev.locald.fs.TreeDeleter.deleteTree(entry);
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
