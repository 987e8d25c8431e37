package dev.locald.store;

import dev.locald.image.Digest;
import java.io.IOException;

/** The bytes of a blob do not match the digest or size they were fetched under. */
public class BlobVerificationException extends IOException {

    private final Digest expected;

    public BlobVerificationException(Digest expected, String message) {
        super(message);
        this.expected = expected;
    }

    public Digest expected() {
        return expected;
    }
}
