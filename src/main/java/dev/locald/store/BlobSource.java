package dev.locald.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a blob's bytes come from when the {@link BlobStore} does not have it yet (normally a registry
 * download). The store checks digest and size itself; a source that retries after a partial transfer
 * calls {@link BlobSink#open()} again, which throws away what the failed attempt wrote.
 */
@FunctionalInterface
public interface BlobSource {

    void writeTo(BlobSink sink) throws IOException;

    /** A source of fixed bytes (configs, tests). */
    static BlobSource ofBytes(byte[] content) {
        byte[] copy = content.clone();
        return sink -> {
            try (OutputStream out = sink.open()) {
                out.write(copy);
            }
        };
    }
}
