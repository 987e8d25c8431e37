package dev.locald.janitor;

import dev.locald.builds.Build;
import dev.locald.builds.BuildStore;
import dev.locald.config.DataLayout;
import dev.locald.fs.TreeDeleter;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Crash recovery of one build that was running when locald stopped: its mounts are unmounted and its
 * work directory is deleted. Its containers, which hold those mounts busy, must be gone already (the
 * {@link StartupSequence} sweeps them first). The record and log stay: the build shows as failed.
 */
@Singleton
public class InterruptedBuildReaper {

    private static final Logger LOG = Logger.getLogger(InterruptedBuildReaper.class);

    private final BuildStore store;
    private final WorkMounts mounts;

    @Inject
    public InterruptedBuildReaper(BuildStore store, DataLayout layout) {
        this(store, new WorkMounts(layout.work(), WorkMounts.host()));
    }

    public InterruptedBuildReaper(BuildStore store, WorkMounts mounts) {
        this.store = store;
        this.mounts = mounts;
    }

    public void cleanUp(Build interrupted) throws Exception {
        var unmounted = mounts.unmountBuild(interrupted.id());
        TreeDeleter.deleteTree(store.workDir(interrupted.id()));
        LOG.infof("cleaned up interrupted build %s (%d mounts)", interrupted.id(), unmounted.size());
    }
}
