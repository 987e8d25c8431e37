package dev.locald.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Recognises a source archive by its first bytes: a POSIX/GNU tar ("ustar" at offset 257), a gzip stream
 * whose first 512 decompressed bytes are such a tar header, or a zip (local file header). The file name
 * the client sent plays no part.
 */
public final class SourceArchiveSniffer {
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);

    private SourceArchiveSniffer() {}

    /** The archive's format, or empty when it is none of the accepted kinds. */
    public static Optional<ArchiveFormat> sniff(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Optional.of(ArchiveFormat.ZIP);
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b && head[2] == 8) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                return isTarHeader(in.readNBytes(512)) ? Optional.of(ArchiveFormat.TAR_GZIP) : Optional.empty();
            } catch (IOException corrupt) {
                return Optional.empty();
            }
        }
        return isTarHeader(head) ? Optional.of(ArchiveFormat.TAR) : Optional.empty();
    }

    private static boolean isTarHeader(byte[] block) {
        return block.length == 512
                && Arrays.equals(block, TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + USTAR.length, USTAR, 0, USTAR.length);
    }
}
