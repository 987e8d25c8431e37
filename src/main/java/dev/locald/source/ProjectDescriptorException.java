package dev.locald.source;

/** A {@code project.toml} that cannot be used; the message is a sentence naming the key, starting "project.toml: ". */
public final class ProjectDescriptorException extends Exception {
    public ProjectDescriptorException(String message) {
        super(message);
    }
}
