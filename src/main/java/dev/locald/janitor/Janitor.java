package dev.locald.janitor;

import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import dev.locald.builds.BuildNotFinishedException;
import dev.locald.builds.BuildService;
import dev.locald.builds.BuildState;
import dev.locald.builds.NoSuchBuildException;
import dev.locald.config.DataLayout;
import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.pull.ImageLeases;
import dev.locald.runtime.RuncClient;
import dev.locald.runtime.RuncContainer;
import dev.locald.store.BlobStore;
import dev.locald.store.ImageRecordStore;
import dev.locald.store.LayerStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The scheduled cleanup: finished builds past the retention, runc containers that no run owns, mounts
 * under the work root whose build is not running, work directories without a build, stale partial
 * downloads, and the store GC ({@link StoreCollector}). It runs every {@code locald.janitor.interval},
 * never twice at once, and once at startup as the last step of {@link StartupSequence}. Every deletion goes through
 * {@link TreeDeleter} or the stores: no symlink is followed and no other filesystem is entered.
 */
@Singleton
public class Janitor {

    private static final Logger LOG = Logger.getLogger(Janitor.class);
    private static final Set<BuildState> ACTIVE = EnumSet.of(BuildState.QUEUED, BuildState.PULLING, BuildState.RUNNING);

    private final BuildService builds;
    private final RuncClient runc;
    private final BlobStore blobs;
    private final LayerStore layers;
    private final Path workRoot;
    private final Path bundlesDir;
    private final BuildRetention retention;
    private final StoreCollector collector;
    private final WorkMounts workMounts;
    private final Duration minIdle;

    @Inject
    public Janitor(
            BuildService builds,
            RuncClient runc,
            BlobStore blobs,
            LayerStore layers,
            ImageRecordStore images,
            ImageLeases leases,
            LocaldConfig config,
            DataLayout layout) {
        this(builds, runc, blobs, layers, images, leases, layout, config.janitor(), WorkMounts.host());
    }

    public Janitor(
            BuildService builds,
            RuncClient runc,
            BlobStore blobs,
            LayerStore layers,
            ImageRecordStore images,
            ImageLeases leases,
            DataLayout layout,
            LocaldConfig.Janitor settings,
            WorkMounts.MountTable mountTable) {
        this.builds = builds;
        this.runc = runc;
        this.blobs = blobs;
        this.layers = layers;
        this.workRoot = layout.work().toAbsolutePath();
        this.bundlesDir = layout.bundles().toAbsolutePath();
        this.retention = new BuildRetention(settings.buildRetention(), settings.buildRetentionCount());
        this.minIdle = settings.minIdle();
        this.collector = new StoreCollector(
                blobs,
                layers,
                images,
                leases,
                new StoreCollector.Settings(
                        settings.imageRetention(), settings.storeBudgetBytes(), settings.minIdle()));
        this.workMounts = new WorkMounts(workRoot, mountTable);
    }

    @Scheduled(
            identity = "locald-janitor",
            every = "${locald.janitor.interval:15m}",
            delayed = "${locald.janitor.interval:15m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        sweep(Instant.now());
    }

    /** One complete run; each step's failure is logged and reported, and the remaining steps still run. */
    public synchronized JanitorReport sweep(Instant now) {
        List<String> errors = new ArrayList<>();
        List<String> deletedBuilds = new ArrayList<>();
        List<String> containers = new ArrayList<>();
        List<Path> mounts = new ArrayList<>();
        List<Path> workDirs = new ArrayList<>();
        int temp = 0;
        StoreCollector.Report store = null;

        List<Build> all = builds.list(Set.of(), 0, Integer.MAX_VALUE).items();
        for (BuildId id : retention.expired(all, now)) {
            try {
                builds.delete(id);
                deletedBuilds.add(id.value());
            } catch (NoSuchBuildException | BuildNotFinishedException gone) {
                // deleted or (impossible for a finished build) restarted meanwhile: nothing to do
            } catch (IOException | RuntimeException e) {
                errors.add(failure("deleting build " + id, e));
            }
        }
        try {
            containers = reapContainers();
        } catch (IOException | RuntimeException e) {
            errors.add(failure("reaping runc containers", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.add("interrupted while reaping runc containers");
        }
        Set<BuildId> live = activeBuilds();
        try {
            mounts = workMounts.unmountOrphans(live);
        } catch (IOException | RuntimeException e) {
            errors.add(failure("unmounting leftovers under " + workRoot, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.add("interrupted while unmounting leftovers");
        }
        try {
            workDirs = deleteOrphanWorkDirs(now);
        } catch (IOException | RuntimeException e) {
            errors.add(failure("deleting orphan work directories", e));
        }
        try {
            Instant cutoff = now.minus(minIdle);
            temp = blobs.sweepTempOlderThan(cutoff) + layers.sweepTempOlderThan(cutoff);
        } catch (IOException | RuntimeException e) {
            errors.add(failure("removing partial downloads", e));
        }
        try {
            store = collector.collect(now);
        } catch (IOException | RuntimeException e) {
            errors.add(failure("collecting the store", e));
        }
        JanitorReport report = new JanitorReport(deletedBuilds, containers, mounts, workDirs, temp, store, errors);
        log(report);
        return report;
    }

    /** Containers in locald's runc root whose bundle is gone: the run that owned them has ended without deleting them. */
    private List<String> reapContainers() throws IOException, InterruptedException {
        List<String> reaped = new ArrayList<>();
        for (RuncContainer container : runc.list()) {
            // ContainerRunner keeps bundlesDir/<id> for exactly as long as it runs the container
            if (!Files.exists(bundlesDir.resolve(container.id()), LinkOption.NOFOLLOW_LINKS)) {
                runc.deleteForce(container.id());
                reaped.add(container.id());
            }
        }
        return reaped;
    }

    /** {@code work/<name>} entries that belong to no known build and were not touched within minIdle (a submit in progress). */
    private List<Path> deleteOrphanWorkDirs(Instant now) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(workRoot, LinkOption.NOFOLLOW_LINKS)) {
            return deleted;
        }
        Instant cutoff = now.minus(minIdle);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(workRoot)) {
            for (Path entry : entries) {
                boolean known = BuildId.parse(entry.getFileName().toString())
                        .flatMap(builds::find)
                        .isPresent();
                if (!known
                        && Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS)
                                .toInstant()
                                .isBefore(cutoff)) {
                    TreeDeleter.deleteTree(entry);
                    deleted.add(entry);
                }
            }
        }
        return deleted;
    }

    private Set<BuildId> activeBuilds() {
        Set<BuildId> ids = new HashSet<>();
        for (Build b : builds.list(ACTIVE, 0, Integer.MAX_VALUE).items()) {
            ids.add(b.id());
        }
        return ids;
    }

    private static String failure(String step, Exception e) {
        LOG.warnf(e, "janitor: %s failed", step);
        return step + " failed: " + e.getMessage();
    }

    private static void log(JanitorReport r) {
        StoreCollector.Report s = r.store();
        boolean removedSomething = !r.builds().isEmpty()
                || !r.containers().isEmpty()
                || !r.mounts().isEmpty()
                || !r.workDirs().isEmpty()
                || r.tempFiles() > 0
                || (s != null
                        && (!s.images().isEmpty()
                                || !s.blobs().isEmpty()
                                || !s.layers().isEmpty()));
        if (removedSomething) {
            LOG.infof(
                    "janitor: deleted %d builds, %d containers, %d mounts, %d work dirs, %d partial downloads; "
                            + "store: %s",
                    r.builds().size(),
                    r.containers().size(),
                    r.mounts().size(),
                    r.workDirs().size(),
                    r.tempFiles(),
                    s == null
                            ? "not collected"
                            : s.images().size() + " images, " + s.blobs().size()
                                    + " blobs, " + s.layers().size() + " layers, " + s.bytesFreed() + " bytes freed, "
                                    + s.bytesKept() + " kept");
        }
    }
}
