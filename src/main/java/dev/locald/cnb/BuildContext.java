package dev.locald.cnb;

import dev.locald.builds.BuildJob;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildRequest;
import dev.locald.pull.ImageCatalog;
import dev.locald.runtime.Cancellation;
import java.nio.file.Path;
import java.util.List;

/**
 * What every step of one build shares: the job and its request, where progress goes, the cancellation
 * the phases watch, and the image leases released when the build ends.
 */
record BuildContext(BuildJob job, BuildProgress progress, Cancellation stop, List<ImageCatalog.LeasedImage> leases) {

    BuildRequest request() {
        return job.request();
    }

    /** runc and bind mounts need absolute paths; the data dir may be configured relative (dev, test). */
    Path workDir() {
        return job.workDir().toAbsolutePath();
    }

    /** The build's own directories, removed on every path. */
    Path buildDir() {
        return workDir().resolve("build");
    }
}
