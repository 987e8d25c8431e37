package dev.locald.pull;

import dev.locald.image.Digest;

/** A cached image cannot be deleted because a running build uses it. */
public final class ImageInUseException extends RuntimeException {

    private final Digest manifestDigest;

    public ImageInUseException(Digest manifestDigest) {
        super("image " + manifestDigest + " is used by a running build; delete it after the build has ended");
        this.manifestDigest = manifestDigest;
    }

    public Digest manifestDigest() {
        return manifestDigest;
    }
}
