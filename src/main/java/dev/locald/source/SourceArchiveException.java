package dev.locald.source;

/** The build's source could not be unpacked or copied; the message names the entry and the problem. */
public class SourceArchiveException extends Exception {
    public SourceArchiveException(String message) {
        super(message);
    }

    public SourceArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
