package dev.locald.layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A tar parser that refuses what commons-compress lets through: a header block whose checksum is wrong
 * (commons-compress only records it in {@link TarArchiveEntry#isCheckSumOK()}, and not at all for the PAX
 * and GNU long-name headers it consumes itself), so a corrupt or spliced archive fails at the damaged
 * header instead of being read as whatever the bytes happen to say. Used for layers and source archives.
 */
public class CheckedTarInputStream extends TarArchiveInputStream {

    private static final int OLD_GNU_IS_EXTENDED = 482;
    private static final int SPARSE_EXTENSION_IS_EXTENDED = 504;

    /** After the first zero block commons-compress has reached the end; what follows is not a header. */
    private boolean ended;
    /** The next block continues an old-GNU sparse map, which has no checksum of its own. */
    private boolean sparseExtensionNext;

    /** Names in the platform's default encoding, like {@code new TarArchiveInputStream(in)}. */
    public CheckedTarInputStream(InputStream in) {
        super(in);
    }

    public CheckedTarInputStream(InputStream in, String encoding) {
        super(in, encoding);
    }

    @Override
    protected byte[] readRecord() throws IOException {
        byte[] record = super.readRecord();
        if (record == null || ended) {
            return record;
        }
        if (isEOFRecord(record)) {
            ended = true;
            return record;
        }
        if (sparseExtensionNext) {
            sparseExtensionNext = record[SPARSE_EXTENSION_IS_EXTENDED] != 0;
            return record;
        }
        if (!TarUtils.verifyCheckSum(record)) {
            throw new InvalidLayerException("tar header of '" + EntryPath.abbreviate(headerName(record))
                    + "' has a wrong checksum: the archive is corrupt");
        }
        sparseExtensionNext =
                record[TarConstants.LF_OFFSET] == TarConstants.LF_GNUTYPE_SPARSE && record[OLD_GNU_IS_EXTENDED] != 0;
        return record;
    }

    /**
     * How {@code entry} is sparse, or null when it is not: old-GNU type {@code S}, PAX {@code GNU.sparse.*}
     * headers (formats 0.0, 0.1 and 1.0) or star's {@code SCHILY.realsize}. commons-compress expands holes
     * into written zeros, so a few blocks could fill gigabytes; OCI layers and sources never need them.
     */
    public static String sparseForm(TarArchiveEntry entry) {
        if (entry.getLinkFlag() == TarConstants.LF_GNUTYPE_SPARSE || entry.isOldGNUSparse()) {
            return "an old-GNU sparse file (type 'S')";
        }
        if (entry.isPaxGNUSparse()
                || entry.isPaxGNU1XSparse()
                || entry.getExtraPaxHeaders().keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
            return "a sparse file (PAX GNU.sparse headers)";
        }
        if (entry.isStarSparse() || entry.isSparse()) {
            return "a sparse file";
        }
        return null;
    }

    private static String headerName(byte[] record) {
        int end = 0;
        while (end < TarConstants.NAMELEN && record[end] != 0) {
            end++;
        }
        return new String(record, 0, end, StandardCharsets.UTF_8);
    }
}
