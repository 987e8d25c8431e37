package dev.locald.store;

import java.io.IOException;
import java.io.OutputStream;

/** The receiving end of a {@link BlobSource}: a temporary file that each {@link #open()} starts afresh. */
@FunctionalInterface
public interface BlobSink {

    /**
     * Returns a stream onto an empty temporary file; bytes written by an earlier {@code open()} are discarded.
     * The stream refuses bytes beyond the expected size. Close it when the attempt ends.
     */
    OutputStream open() throws IOException;
}
