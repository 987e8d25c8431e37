package dev.locald.lifecycle;

/** The builder (or lifecycle image) and locald share no Platform API; the message is meant for the user. */
public class IncompatiblePlatformApiException extends RuntimeException {
    public IncompatiblePlatformApiException(String message) {
        super(message);
    }
}
