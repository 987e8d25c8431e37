package dev.locald.builds;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything an executor needs for one build.
 *
 * @param id the build's id (safe as a path segment and container-id suffix)
 * @param request the validated request, including in-memory credentials
 * @param source where the application source is
 * @param workDir a directory owned by this build ({@code <dataDir>/work/<id>}), removed when the build is deleted
 * @param createdAt when the request was accepted
 * @param deadline when the service cancels the build as timed out (set when a worker takes the build)
 * @param timeout the whole-build timeout the deadline was computed from
 */
public record BuildJob(
        BuildId id,
        BuildRequest request,
        BuildSource source,
        Path workDir,
        Instant createdAt,
        Instant deadline,
        Duration timeout) {

    public BuildJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The same job with its deadline counted from {@code start}. */
    public BuildJob startingAt(Instant start) {
        return new BuildJob(id, request, source, workDir, createdAt, start.plus(timeout), timeout);
    }

    @Override
    public String toString() {
        // request.toString() hides credentials
        return "BuildJob[id=" + id + ", request=" + request + ", source=" + source + ", workDir=" + workDir
                + ", deadline=" + deadline + "]";
    }
}
