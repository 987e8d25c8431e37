package dev.locald.pull;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.layer.InvalidLayerException;
import java.util.List;

/** A layer of an image was refused by the extractor (hostile, corrupt or over a limit); nothing of it was kept. */
public final class LayerRefusedException extends RuntimeException {

    private final Digest layer;
    private final List<LayerDescriptor> imageLayers;

    public LayerRefusedException(ImageReference image, Digest layer, InvalidLayerException cause) {
        this(image, layer, List.of(), cause);
    }

    /** @param imageLayers every layer of the refused image, so a caller can remove what the pull stored */
    public LayerRefusedException(
            ImageReference image, Digest layer, List<LayerDescriptor> imageLayers, InvalidLayerException cause) {
        super("layer " + layer + " of " + image + " was refused: " + cause.getMessage(), cause);
        this.layer = layer;
        this.imageLayers = List.copyOf(imageLayers);
    }

    public Digest layer() {
        return layer;
    }

    /** Why the extractor refused it ("entry '../x' leaves the layer root"). */
    public String reason() {
        return getCause().getMessage();
    }

    /** All layers of the refused image, bottom first; empty when the thrower did not know them. */
    public List<LayerDescriptor> imageLayers() {
        return imageLayers;
    }
}
