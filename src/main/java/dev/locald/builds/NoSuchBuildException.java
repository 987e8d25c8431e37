package dev.locald.builds;

/** No build with this id exists (or it was deleted). */
public class NoSuchBuildException extends Exception {
    public NoSuchBuildException(BuildId id) {
        super("there is no build " + id);
    }
}
