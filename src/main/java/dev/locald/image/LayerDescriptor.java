package dev.locald.image;

import java.util.Objects;

/**
 * One layer of a resolved image: the compressed blob as the manifest describes it, and the digest of its
 * uncompressed tar from the config ({@code rootfs.diff_ids}).
 *
 * @param digest    digest of the blob as stored in the registry
 * @param size      blob size in bytes, from the manifest
 * @param mediaType media type from the raw manifest JSON
 * @param diffId    digest of the uncompressed tar
 */
public record LayerDescriptor(Digest digest, long size, String mediaType, Digest diffId) {

    public LayerDescriptor {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(diffId, "diffId");
        if (size < 0) {
            throw new IllegalArgumentException("layer " + digest + " has a negative size " + size);
        }
    }

    /** How the blob is compressed, derived from the media type. */
    public LayerCompression compression() {
        return LayerCompression.ofMediaType(mediaType);
    }
}
