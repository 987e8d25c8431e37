package dev.locald.store;

import dev.locald.image.Digest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes and counts what passes through, refuses to write past the expected size, and on {@link #verify()}
 * checks that exactly the expected bytes arrived. Used by the store and by registry downloads alike.
 */
public final class VerifyingOutputStream extends FilterOutputStream {

    private final Digest expected;
    private final long expectedSize;
    private final MessageDigest sha256;
    private long written;

    public VerifyingOutputStream(OutputStream out, Digest expected, long expectedSize) {
        super(out);
        this.expected = expected;
        this.expectedSize = expectedSize;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        checkRoom(1);
        out.write(b);
        sha256.update((byte) b);
        written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkRoom(len);
        out.write(b, off, len);
        sha256.update(b, off, len);
        written += len;
    }

    private void checkRoom(int len) throws IOException {
        if (written + len > expectedSize) {
            throw new BlobVerificationException(
                    expected,
                    "blob " + expected + " is larger than the " + expectedSize + " bytes its descriptor states");
        }
    }

    public long written() {
        return written;
    }

    /** Throws unless exactly {@code expectedSize} bytes with the expected digest were written. */
    public void verify() throws BlobVerificationException {
        if (written != expectedSize) {
            throw new BlobVerificationException(
                    expected, "blob " + expected + " is truncated: got " + written + " of " + expectedSize + " bytes");
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(expected.hex())) {
            throw new BlobVerificationException(
                    expected,
                    "blob " + expected + " does not match its digest" + " (content hashes to sha256:" + actual + ")");
        }
    }
}
