package dev.locald.runtime;

import java.io.IOException;

/** A runc command failed; the message carries runc's own words. */
class RuncException extends IOException {

    public RuncException(String message) {
        super(message);
    }
}
