package dev.locald.layer;

import com.github.luben.zstd.ZstdInputStream;
import dev.locald.image.Digest;
import dev.locald.image.LayerCompression;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * One layer blob read as tar entries: decompressed in-JVM, counted against the limits and hashed on the
 * way to the tar parser, so that the DiffID covers exactly the decompressed bytes — including whatever
 * follows the end-of-archive blocks, which {@link #finish(Digest)} drains.
 */
final class LayerStream implements AutoCloseable {

    /** Below this many decompressed bytes the compression ratio is not judged (tiny layers are harmless). */
    private static final long RATIO_FLOOR_BYTES = 16L << 20;

    private final InputStream blob;
    private final CountingStream compressed;
    private final ExpandedStream expanded;
    private final TarArchiveInputStream tar;
    private final ExtractionLimits limits;
    private long entries;

    LayerStream(InputStream blob, LayerCompression declared, ExtractionLimits limits) throws IOException {
        this.blob = blob;
        this.limits = limits;
        BufferedInputStream buffered = new BufferedInputStream(blob, 1 << 16);
        buffered.mark(8);
        byte[] head = new byte[8];
        int length = buffered.readNBytes(head, 0, head.length);
        buffered.reset();
        LayerCompression actual = sniff(head, length);
        if (declared != null && declared != actual) {
            throw new InvalidLayerException("layer is declared as " + declared + " but its content is " + actual);
        }
        this.compressed = new CountingStream(buffered);
        InputStream decompressed;
        try {
            decompressed = switch (actual) {
                // concatenated members are legal gzip (pigz, eStargz); non-gzip bytes after one are refused
                case GZIP -> new GzipCompressorInputStream(compressed, true);
                case ZSTD -> new ZstdInputStream(compressed);
                case NONE -> compressed;
            };
        } catch (IOException e) {
            throw new InvalidLayerException("corrupt " + actual + " layer header: " + e.getMessage(), e);
        }
        this.expanded = new ExpandedStream(decompressed, actual != LayerCompression.NONE);
        this.tar = new CheckedTarInputStream(expanded, StandardCharsets.UTF_8.name());
    }

    /** The next entry, or null at the end of the archive; a sparse entry is refused before any of it is read. */
    TarArchiveEntry next() throws IOException {
        TarArchiveEntry entry = guarded(tar::getNextEntry);
        if (entry != null && ++entries > limits.maxEntries()) {
            throw new InvalidLayerException("layer has more than " + limits.maxEntries() + " entries");
        }
        String sparse = entry == null ? null : CheckedTarInputStream.sparseForm(entry);
        if (sparse != null) {
            throw new InvalidLayerException("layer entry '" + EntryPath.abbreviate(entry.getName()) + "' is " + sparse
                    + ", which layers built by image tools never contain: refused, since its holes would be"
                    + " written as real bytes");
        }
        return entry;
    }

    long entries() {
        return entries;
    }

    long tarBytes() {
        return expanded.count;
    }

    /** Reads the current entry's content; errors of a truncated or corrupt stream become layer errors. */
    int read(byte[] buffer) throws IOException {
        return guarded(() -> tar.read(buffer, 0, buffer.length));
    }

    /** Drains the stream to its end and checks the DiffID; returns it. */
    Digest finish(Digest expectedDiffId) throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (guarded(() -> expanded.read(buffer, 0, buffer.length)) >= 0) {
            // trailing bytes after the end-of-archive are part of the DiffID (as umoci and containerd hash them)
        }
        Digest actual = new Digest(HexFormat.of().formatHex(expanded.digest.digest()));
        if (!actual.equals(expectedDiffId)) {
            throw new InvalidLayerException("layer DiffID mismatch: expected " + expectedDiffId + ", got " + actual);
        }
        return actual;
    }

    @Override
    public void close() throws IOException {
        blob.close();
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private <T> T guarded(IoCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (InvalidLayerException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // commons-compress reports some malformed headers as IllegalArgumentException
            throw new InvalidLayerException(
                    "corrupt or truncated layer after " + expanded.count + " decompressed bytes: " + e, e);
        }
    }

    /** Counts bytes pulled from the compressed blob. */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Hashes and counts the decompressed bytes, enforcing the expanded-size and ratio limits. */
    private final class ExpandedStream extends FilterInputStream {
        final MessageDigest digest;
        final boolean judgeRatio;
        long count;

        ExpandedStream(InputStream in, boolean judgeRatio) {
            super(in);
            this.judgeRatio = judgeRatio;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks SHA-256", e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
                if (count > limits.maxExpandedBytes()) {
                    throw new InvalidLayerException(
                            "layer expands to more than " + limits.maxExpandedBytes() + " bytes");
                }
                if (judgeRatio
                        && count > RATIO_FLOOR_BYTES
                        && count / Math.max(1, compressed.count) > limits.maxCompressionRatio()) {
                    throw new InvalidLayerException("layer expands more than " + limits.maxCompressionRatio()
                            + " times its compressed size (" + count + " bytes from " + compressed.count
                            + "): refused as a decompression bomb");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipping would bypass the digest: read instead
            byte[] buffer = new byte[(int) Math.min(n, 1 << 16)];
            int read = read(buffer, 0, buffer.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /**
     * The compression recognised from the first bytes of a blob (at least 4 are needed for zstd): gzip
     * and zstd by their magic numbers, anything else is taken to be a plain tar, which the tar parser
     * then validates. xz and bzip2 are recognised only to refuse them with a clear message.
     */
    static LayerCompression sniff(byte[] head, int length) throws IOException {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return LayerCompression.GZIP;
        }
        if (length >= 4
                && (head[0] & 0xff) == 0x28
                && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return LayerCompression.ZSTD;
        }
        if (length >= 6
                && (head[0] & 0xff) == 0xfd
                && head[1] == '7'
                && head[2] == 'z'
                && head[3] == 'X'
                && head[4] == 'Z'
                && head[5] == 0) {
            throw new InvalidLayerException("layer is xz-compressed, which is not supported");
        }
        if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            throw new InvalidLayerException("layer is bzip2-compressed, which is not supported");
        }
        return LayerCompression.NONE;
    }
}
