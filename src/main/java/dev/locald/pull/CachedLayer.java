package dev.locald.pull;

import dev.locald.image.LayerDescriptor;

/**
 * One layer of a cached image and what the store holds of it.
 *
 * @param descriptor    blob digest, compressed size, media type, diffId
 * @param blobStored    whether the compressed blob is in the blob store (it need not be once extracted)
 * @param extracted     whether the extracted layer dir is in the layer store
 * @param extractedSize bytes of regular files in the extracted dir (0 when not extracted)
 */
public record CachedLayer(LayerDescriptor descriptor, boolean blobStored, boolean extracted, long extractedSize) {}
