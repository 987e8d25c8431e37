package dev.locald.rootfs;

import java.io.IOException;
import java.util.Locale;

/** How a layer blob is compressed. Decompression always happens in-JVM, never by a host binary. */
public enum Compression {
    GZIP,
    ZSTD,
    NONE;

    /**
     * The compression named by an OCI or Docker layer media type, including the non-distributable and
     * foreign variants. Any other media type (e.g. a config blob, or xz/bzip2 layers nobody pushes) is
     * refused so that a wrong descriptor is never fed to the tar parser.
     */
    public static Compression fromMediaType(String mediaType) {
        if (mediaType == null) {
            throw new IllegalArgumentException("layer has no media type");
        }
        return switch (mediaType.toLowerCase(Locale.ROOT)) {
            case "application/vnd.oci.image.layer.v1.tar",
                 "application/vnd.oci.image.layer.nondistributable.v1.tar",
                 "application/vnd.docker.image.rootfs.diff.tar",
                 "application/vnd.docker.image.rootfs.foreign.diff.tar" -> NONE;
            case "application/vnd.oci.image.layer.v1.tar+gzip",
                 "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                 "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" -> GZIP;
            case "application/vnd.oci.image.layer.v1.tar+zstd",
                 "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
                 "application/vnd.docker.image.rootfs.diff.tar.zstd" -> ZSTD;
            default -> throw new IllegalArgumentException("unsupported layer media type: " + mediaType);
        };
    }

    /**
     * The compression recognised from the first bytes of a blob (at least 4 are needed for zstd): gzip
     * and zstd by their magic numbers, anything else is taken to be a plain tar, which the tar parser
     * then validates. xz and bzip2 are recognised only to refuse them with a clear message.
     */
    public static Compression sniff(byte[] head, int length) throws IOException {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        if (length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            throw new InvalidLayerException("layer is xz-compressed, which is not supported");
        }
        if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            throw new InvalidLayerException("layer is bzip2-compressed, which is not supported");
        }
        return NONE;
    }
}
