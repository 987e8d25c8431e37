package dev.locald.janitor;

import dev.locald.builds.Build;
import dev.locald.builds.BuildStore;
import dev.locald.builds.InterruptedBuildCleanup;
import dev.locald.fs.TreeDeleter;
import dev.locald.config.DataLayout;
import dev.locald.runtime.ContainerSweeper;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Crash recovery of one build that was running when locald stopped: its containers are killed (before
 * anything of a new run exists, so every container in locald's runc root is a leftover), its mounts are
 * unmounted, and its work directory is deleted. The record and log stay: the build shows as failed.
 */
@Singleton
public class InterruptedBuildReaper implements InterruptedBuildCleanup {

    private static final Logger LOG = Logger.getLogger(InterruptedBuildReaper.class);

    private final ContainerSweeper containers;
    private final BuildStore store;
    private final WorkMounts mounts;
    private final AtomicBoolean containersSwept = new AtomicBoolean();

    @Inject
    public InterruptedBuildReaper(ContainerSweeper containers, BuildStore store, DataLayout layout) {
        this(containers, store, new WorkMounts(layout.work(), WorkMounts.host()));
    }

    public InterruptedBuildReaper(ContainerSweeper containers, BuildStore store, WorkMounts mounts) {
        this.containers = containers;
        this.store = store;
        this.mounts = mounts;
    }

    @Override
    public void cleanUp(Build interrupted) throws Exception {
        // containers hold the mounts busy: they go first, once for all interrupted builds
        if (containersSwept.compareAndSet(false, true)) {
            containers.sweep();
        }
        var unmounted = mounts.unmountBuild(interrupted.id());
        TreeDeleter.deleteTree(store.workDir(interrupted.id()));
        LOG.infof("cleaned up interrupted build %s (%d mounts)", interrupted.id(), unmounted.size());
    }
}
