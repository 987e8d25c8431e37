package dev.locald.image;

import java.util.Map;

/**
 * The compression of a layer blob as its media type states it. (The extractor's own
 * {@code dev.locald.rootfs.Compression} has the same three values; this one stays in {@code image} so
 * that reading manifests needs nothing from {@code rootfs}.)
 */
public enum LayerCompression {
    GZIP, ZSTD, NONE;

    private static final Map<String, LayerCompression> MEDIA_TYPES = Map.ofEntries(
            Map.entry("application/vnd.oci.image.layer.v1.tar", NONE),
            Map.entry("application/vnd.oci.image.layer.v1.tar+gzip", GZIP),
            Map.entry("application/vnd.oci.image.layer.v1.tar+zstd", ZSTD),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar", NONE),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", GZIP),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", ZSTD),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar", NONE),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar.gzip", GZIP),
            Map.entry("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", GZIP));

    /** True when locald knows how to unpack blobs of this media type. */
    public static boolean isKnown(String mediaType) {
        return MEDIA_TYPES.containsKey(mediaType);
    }

    public static LayerCompression ofMediaType(String mediaType) {
        LayerCompression c = MEDIA_TYPES.get(mediaType);
        if (c == null) {
            throw new IllegalArgumentException("unsupported layer media type '" + mediaType + "'");
        }
        return c;
    }
}
