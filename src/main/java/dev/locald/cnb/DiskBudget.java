package dev.locald.cnb;

import dev.locald.config.ByteSize;
import dev.locald.fs.TreeBytes;
import dev.locald.runtime.Cancellation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * A build's disk limit: the bytes it wrote under its own directories ({@code /layers}, {@code /workspace},
 * {@code /platform}) and its cache, counted from when its first phase starts (the source and an earlier
 * build's cache are not this build's writing), plus what the running phase wrote to its root filesystem and
 * its {@code /tmp}. A {@link Watch} measures while a phase runs and stops the phase once it is over.
 */
final class DiskBudget {

    private static final Logger LOG = Logger.getLogger(DiskBudget.class);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(200);
    private static final Duration MAX_INTERVAL = Duration.ofSeconds(10);

    private final ByteSize limit;
    private final List<Path> buildDirs;
    private final long baseline;

    private DiskBudget(ByteSize limit, List<Path> buildDirs, long baseline) {
        this.limit = limit;
        this.buildDirs = List.copyOf(buildDirs);
        this.baseline = baseline;
    }

    /** Measures the build's directories now: what is there already does not count. */
    static DiskBudget start(ByteSize limit, List<Path> buildDirs) throws IOException {
        return new DiskBudget(limit, buildDirs, bytes(buildDirs));
    }

    ByteSize limit() {
        return limit;
    }

    /**
     * Starts watching one phase whose own writable places are {@code phaseDirs} (its root filesystem's
     * assembly, measured now so that a copied image does not count, and its disk /tmp).
     */
    Watch watch(List<Path> phaseDirs, Cancellation phase, String name) throws IOException {
        return new Watch(phaseDirs, bytes(phaseDirs), phase, name);
    }

    private static long bytes(List<Path> dirs) throws IOException {
        long total = 0;
        for (Path dir : dirs) {
            total += TreeBytes.of(dir);
        }
        return total;
    }

    /** A thread measuring the phase's writing; {@link #finish} stops it and measures once more. */
    final class Watch implements AutoCloseable {
        private final List<Path> phaseDirs;
        private final long phaseBaseline;
        private final Cancellation phase;
        private final AtomicBoolean over = new AtomicBoolean();
        private final AtomicReference<IOException> failure = new AtomicReference<>();
        private final Thread thread;

        private Watch(List<Path> phaseDirs, long phaseBaseline, Cancellation phase, String name) {
            this.phaseDirs = List.copyOf(phaseDirs);
            this.phaseBaseline = phaseBaseline;
            this.phase = phase;
            this.thread = new Thread(this::loop, "disk-watch-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    long started = System.nanoTime();
                    if (measureOver()) {
                        phase.cancel();
                        return;
                    }
                    // a walk of a large tree costs; it takes at most a fifth of the time
                    long walk = Duration.ofNanos(System.nanoTime() - started)
                            .multipliedBy(5)
                            .toMillis();
                    Thread.sleep(Math.min(MAX_INTERVAL.toMillis(), Math.max(MIN_INTERVAL.toMillis(), walk)));
                }
            } catch (InterruptedException e) {
                // finish() stops the watch
            } catch (IOException e) {
                failure.set(e);
            }
        }

        private boolean measureOver() throws IOException {
            long written = bytes(buildDirs) - baseline + bytes(phaseDirs) - phaseBaseline;
            if (written > limit.bytes()) {
                LOG.debugf("phase wrote %d bytes, over the limit of %s", written, limit);
                over.set(true);
            }
            return over.get();
        }

        /**
         * Stops the watch after the phase ended and measures once more (a phase may write its last bytes
         * between two measurements and end).
         *
         * @return whether the build is over its disk limit
         */
        boolean finish() throws IOException, InterruptedException {
            thread.interrupt();
            thread.join();
            if (failure.get() != null) {
                throw new IOException("measuring the build's disk use failed", failure.get());
            }
            return over.get() || measureOver();
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }
}
