package dev.locald.builds;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Admission and the workers: a bounded queue of accepted builds in front of a fixed number of worker
 * threads. A worker left stuck in an executor that ignored a cancel is retired (it takes no further build
 * once it returns) and replaced, so the number of workers that take builds stays constant.
 */
final class BuildQueue {
    private static final Logger LOG = Logger.getLogger(BuildQueue.class);

    private final int capacity;
    private final int workerCount;
    private final Duration retryAfter;
    private final Object lock = new Object();
    /** Accepted builds waiting for a worker, oldest first; guarded by {@code lock}. */
    private final Deque<TrackedBuild> waiting = new ArrayDeque<>();
    /** Places reserved by submissions still writing their files; guarded by {@code lock}. */
    private int admitting;
    /** Worker threads not exited yet: a concurrent set, added by the starter and removed by the worker itself. */
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    /** Workers abandoned inside a stuck executor (a concurrent set); each removes itself once its executor returns. */
    private final Set<Thread> retired = ConcurrentHashMap.newKeySet();

    private final AtomicInteger workerNumber = new AtomicInteger();
    /** What a worker does with a build it takes; set once by {@link #start}. */
    private volatile Consumer<TrackedBuild> work;

    private volatile boolean stopping;

    BuildQueue(int capacity, int workerCount, Duration retryAfter) {
        this.capacity = capacity;
        this.workerCount = workerCount;
        this.retryAfter = retryAfter;
    }

    /** Reserves a place for a submission; each reservation ends with {@link #admit} or {@link #release}. */
    void reserve() throws QueueFullException {
        synchronized (lock) {
            if (waiting.size() + admitting >= capacity) {
                throw new QueueFullException(capacity, retryAfter);
            }
            admitting++;
        }
    }

    /** Turns a reservation into a waiting build and wakes a worker. */
    void admit(TrackedBuild t) {
        synchronized (lock) {
            admitting--;
            waiting.addLast(t);
            lock.notifyAll();
        }
    }

    /** Gives back a reservation whose submission failed. */
    void release() {
        synchronized (lock) {
            admitting--;
        }
    }

    /** Takes a build out of the queue before any worker took it (a cancel). */
    void remove(TrackedBuild t) {
        synchronized (lock) {
            waiting.remove(t);
        }
    }

    /** Starts the workers, each running {@code work} for one build at a time. */
    void start(Consumer<TrackedBuild> work) {
        this.work = work;
        for (int i = 0; i < workerCount; i++) {
            startWorker();
        }
    }

    /** Tells every worker to exit once its current build (if any) has returned. */
    void stop() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    /** Marks {@code stuck} (when known) to take no further build; {@link #addWorker} replaces it. */
    void retire(Thread stuck) {
        if (stuck != null) {
            retired.add(stuck);
        }
    }

    /** Starts one more worker, in place of a retired one. */
    void addWorker() {
        startWorker();
    }

    /** Builds waiting plus submissions being admitted. */
    int queued() {
        synchronized (lock) {
            return waiting.size() + admitting;
        }
    }

    int capacity() {
        return capacity;
    }

    int workerCount() {
        return workerCount;
    }

    /** Workers alive and not retired; none once stopping. */
    int aliveWorkers() {
        if (stopping) {
            return 0;
        }
        int alive = 0;
        for (Thread worker : workers) {
            if (worker.isAlive() && !retired.contains(worker)) {
                alive++;
            }
        }
        return alive;
    }

    int retiredWorkers() {
        return retired.size();
    }

    private void startWorker() {
        Thread worker = new Thread(this::work, "locald-build-worker-" + workerNumber.incrementAndGet());
        worker.setDaemon(true);
        workers.add(worker);
        worker.start();
    }

    private void work() {
        try {
            workLoop();
        } finally {
            workers.remove(Thread.currentThread());
        }
    }

    private void workLoop() {
        while (!stopping && !retired.contains(Thread.currentThread())) {
            TrackedBuild next;
            synchronized (lock) {
                while (waiting.isEmpty() && !stopping) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                next = waiting.pollFirst();
            }
            try {
                work.accept(next);
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "worker failed on build %s", next.build.id());
            }
        }
        retired.remove(Thread.currentThread());
    }
}
