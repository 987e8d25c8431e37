package dev.locald.pull;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.rootfs.InvalidLayerException;

/** A layer of an image was refused by the extractor (hostile, corrupt or over a limit); nothing of it was kept. */
public final class LayerRefusedException extends RuntimeException {

    private final Digest layer;

    public LayerRefusedException(ImageReference image, Digest layer, InvalidLayerException cause) {
        super("layer " + layer + " of " + image + " was refused: " + cause.getMessage(), cause);
        this.layer = layer;
    }

    public Digest layer() {
        return layer;
    }
}
