package dev.locald.source;

import java.io.IOException;

/**
 * Marks a read from the client's archive: whatever goes wrong there (EOF, bad header, bad checksum, and
 * the runtime exceptions commons-compress throws for some malformed headers) is the archive's fault and
 * becomes a {@link SourceArchiveException}; failures writing the workspace stay plain IOExceptions.
 */
@FunctionalInterface
interface ArchiveRead<T> {
    T read() throws IOException;

    static <T> T of(ArchiveRead<T> read) throws SourceArchiveException {
        try {
            return read.read();
        } catch (IOException | RuntimeException e) {
            throw new SourceArchiveException("the source archive is truncated or corrupt: " + e.getMessage(), e);
        }
    }
}
