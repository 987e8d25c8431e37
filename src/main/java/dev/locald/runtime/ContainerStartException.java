package dev.locald.runtime;

/** runc could not start the container (bad config, missing executable, mount failure…). */
class ContainerStartException extends RuncException {

    public ContainerStartException(String message) {
        super(message);
    }
}
