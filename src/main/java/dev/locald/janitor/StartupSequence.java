package dev.locald.janitor;

import dev.locald.builds.Build;
import dev.locald.builds.BuildService;
import dev.locald.runtime.ContainerSweeper;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Crash recovery and start, in one visible order, before the HTTP server accepts a request:
 * <ol>
 * <li>remove every container, bundle mount, bundle and cgroup a previous run left (nothing of this run
 *     exists yet, so all of it is a leftover; the containers hold the builds' mounts busy);</li>
 * <li>load the build history, mark the builds that were running FAILED, and unmount and delete their
 *     work directories;</li>
 * <li>start the build workers;</li>
 * <li>run the janitor once, for what else a crash leaves (orphan mounts and work dirs, partial downloads).</li>
 * </ol>
 * What steps 2 and 4 could not clean is reported by the startup health check; a failure of steps 1 to 3
 * stops locald from starting, as running builds on top of unknown leftovers would be worse.
 */
@Singleton
public class StartupSequence {

    private static final Logger LOG = Logger.getLogger(StartupSequence.class);

    private final ContainerSweeper containers;
    private final BuildService builds;
    private final InterruptedBuildReaper reaper;
    private final Janitor janitor;
    private final StartupRecovery recovery;

    public StartupSequence(
            ContainerSweeper containers,
            BuildService builds,
            InterruptedBuildReaper reaper,
            Janitor janitor,
            StartupRecovery recovery) {
        this.containers = containers;
        this.builds = builds;
        this.reaper = reaper;
        this.janitor = janitor;
        this.recovery = recovery;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        run();
    }

    void run() throws Exception {
        List<String> errors = new ArrayList<>();
        containers.sweep();
        for (Build interrupted : builds.recover()) {
            try {
                reaper.cleanUp(interrupted);
            } catch (Exception e) {
                LOG.errorf(e, "cleaning up interrupted build %s failed", interrupted.id());
                errors.add("cleaning up interrupted build " + interrupted.id() + " failed: " + e.getMessage());
            }
        }
        builds.startWorkers();
        try {
            errors.addAll(janitor.sweep(Instant.now()).errors());
        } catch (RuntimeException e) {
            errors.add("the startup sweep failed: " + e);
            recovery.finished(errors);
            throw e;
        }
        recovery.finished(errors);
    }
}
