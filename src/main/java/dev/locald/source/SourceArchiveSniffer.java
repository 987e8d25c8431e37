package dev.locald.source;

import dev.locald.layer.EntryPath;
import dev.locald.lifecycle.BuildpackRef;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Recognises a source archive by its first bytes: a POSIX/GNU tar ("ustar" at offset 257), a gzip stream
 * whose first 512 decompressed bytes are such a tar header, or a zip (local file header). The file name
 * the client sent plays no part.
 */
public final class SourceArchiveSniffer {
    private static final int TAR_MAGIC_OFFSET = 257;
    private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);
    private static final long GZIP_SCAN_BYTES = 8L << 20;

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

    /**
     * The first entry the unpacker would refuse that a look at the entry headers alone finds (an absolute
     * path, {@code ..}, a link pointing out, a device node or FIFO), so that such a source is refused at
     * submission, not accepted and then failed. Only what costs no second pass over the content is looked
     * at: a plain tar's headers (the data is skipped by seeking), a zip's central directory, and the headers
     * within the first {@value #GZIP_SCAN_BYTES} decompressed bytes of a tar.gz. The unpacker still checks
     * every entry; a malformed archive is left to it, so that its sentence is the one the build reports.
     */
    public static Optional<String> hostileEntry(Path file, ArchiveFormat format) throws IOException {
        try {
            if (format == ArchiveFormat.ZIP) {
                scanZip(file);
            } else if (format == ArchiveFormat.TAR) {
                // TarFile reads the headers by seeking; the entries' data is never read
                try (TarFile tar = new TarFile(file)) {
                    for (TarArchiveEntry e : tar.getEntries()) {
                        checkTarEntry(e);
                    }
                }
            } else {
                try (InputStream raw = Files.newInputStream(file);
                        InputStream gzip = new GZIPInputStream(raw, 64 * 1024)) {
                    TarArchiveInputStream tar = new TarArchiveInputStream(new FirstBytes(gzip, GZIP_SCAN_BYTES));
                    TarArchiveEntry e;
                    while ((e = tar.getNextEntry()) != null) {
                        checkTarEntry(e);
                    }
                }
            }
            return Optional.empty();
        } catch (SourceArchiveException e) {
            return Optional.of(e.getMessage());
        } catch (IOException | RuntimeException malformed) {
            return Optional.empty();
        }
    }

    private static void checkTarEntry(TarArchiveEntry e) throws SourceArchiveException {
        checkEntry(e.getName(), e.isSymbolicLink() ? e.getLinkName() : null, e.isLink() ? e.getLinkName() : null);
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            throw deviceNode(e.getName());
        }
    }

    /** The first {@code max} bytes of a stream, then its end. */
    private static final class FirstBytes extends FilterInputStream {
        private long left;

        FirstBytes(InputStream in, long max) {
            super(in);
            this.left = max;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            left -= b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            left -= Math.max(n, 0);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, left));
            left -= skipped;
            return skipped;
        }
    }

    private static void scanZip(Path file) throws IOException, SourceArchiveException {
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            Enumeration<ZipArchiveEntry> entries = zip.getEntries();
            while (entries.hasMoreElements()) {
                ZipArchiveEntry e = entries.nextElement();
                String target = null;
                if (e.isUnixSymlink() && zip.canReadEntryData(e)) {
                    try (InputStream in = zip.getInputStream(e)) {
                        target = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                    }
                }
                checkEntry(e.getName(), target, null);
                int type = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() & 0170000 : 0;
                if (!e.isUnixSymlink() && type != 0 && type != 0100000 && type != 0040000) {
                    throw deviceNode(e.getName());
                }
            }
        }
    }

    private static void checkEntry(String name, String symlinkTarget, String hardlinkTarget)
            throws SourceArchiveException {
        EntryPath components = WorkspaceWriter.components(name);
        if (symlinkTarget != null && !components.isRoot()) {
            WorkspaceWriter.checkSymlinkTarget(name, components, symlinkTarget);
        }
        if (hardlinkTarget != null) {
            try {
                WorkspaceWriter.components(hardlinkTarget);
            } catch (SourceArchiveException e) {
                throw new SourceArchiveException(
                        "hardlink " + BuildpackRef.quote(name) + " points outside the workspace: " + e.getMessage());
            }
        }
    }

    private static SourceArchiveException deviceNode(String name) {
        return new SourceArchiveException("entry " + BuildpackRef.quote(name)
                + " is a device node or FIFO; source archives may contain only files, directories and links");
    }

    private static boolean isTarHeader(byte[] block) {
        return block.length == 512
                && Arrays.equals(block, TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + USTAR.length, USTAR, 0, USTAR.length);
    }
}
