package dev.locald.layer;

import java.io.IOException;

/**
 * A layer that must not be extracted: hostile or malformed entries, a limit exceeded, a truncated or
 * corrupt stream, or a DiffID that does not match. The message names the offending entry when there is
 * one. The target directory may hold partial content afterwards; the caller deletes it.
 */
public class InvalidLayerException extends IOException {

    public InvalidLayerException(String message) {
        super(message);
    }

    public InvalidLayerException(String message, Throwable cause) {
        super(message, cause);
    }
}
