package dev.locald.image;

import java.util.Map;

/**
 * The compression of a layer blob as its media type states it. Other media types (a config blob, xz or
 * bzip2 layers nobody pushes) are refused so that a wrong descriptor is never fed to the tar parser.
 */
public enum LayerCompression {
    GZIP,
    ZSTD,
    NONE;

    private static final Map<String, LayerCompression> MEDIA_TYPES = Map.ofEntries(
            Map.entry("application/vnd.oci.image.layer.v1.tar", NONE),
            Map.entry("application/vnd.oci.image.layer.v1.tar+gzip", GZIP),
            Map.entry("application/vnd.oci.image.layer.v1.tar+zstd", ZSTD),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar", NONE),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", GZIP),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", ZSTD),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar", NONE),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar.gzip", GZIP),
            Map.entry("application/vnd.docker.image.rootfs.foreign.diff.tar", NONE),
            Map.entry("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", GZIP),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar.zstd", ZSTD));

    /** True when locald knows how to unpack blobs of this media type. */
    public static boolean isKnown(String mediaType) {
        return mediaType != null && MEDIA_TYPES.containsKey(mediaType.toLowerCase(java.util.Locale.ROOT));
    }

    public static LayerCompression ofMediaType(String mediaType) {
        if (mediaType == null) {
            throw new IllegalArgumentException("layer has no media type");
        }
        LayerCompression c = MEDIA_TYPES.get(mediaType.toLowerCase(java.util.Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unsupported layer media type '" + mediaType + "'");
        }
        return c;
    }
}
