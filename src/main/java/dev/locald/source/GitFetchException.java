package dev.locald.source;

/** A git source could not be fetched: the remote, the ref or the credentials were wrong, or the fetch was stopped. */
public class GitFetchException extends Exception {
    public GitFetchException(String message) {
        super(message);
    }

    public GitFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
