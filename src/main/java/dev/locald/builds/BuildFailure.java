package dev.locald.builds;

/**
 * A build failed for a reason the user can act on. The message is the sentence shown as the build's
 * error, e.g. "no buildpack detected for this app (detector exit 20)": write it for the person who
 * sent the build, not for a developer of locald.
 */
public class BuildFailure extends Exception {
    public BuildFailure(String userMessage) {
        super(requireText(userMessage));
    }

    public BuildFailure(String userMessage, Throwable cause) {
        super(requireText(userMessage), cause);
    }

    /** The sentence for the user. */
    public String userMessage() {
        return getMessage();
    }

    private static String requireText(String message) {
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("a build failure needs a message for the user");
        }
        return message;
    }
}
