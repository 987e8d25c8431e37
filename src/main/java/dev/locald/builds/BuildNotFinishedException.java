package dev.locald.builds;

/** The operation needs a finished build, and this one is queued or running. */
public class BuildNotFinishedException extends Exception {
    public BuildNotFinishedException(Build build) {
        super("build " + build.id() + " is " + build.state().name().toLowerCase(java.util.Locale.ROOT)
                + "; cancel it and wait until it has stopped");
    }
}
