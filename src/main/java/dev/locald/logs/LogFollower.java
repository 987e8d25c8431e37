package dev.locald.logs;

import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a {@link BuildLog} into a stream for one reader. The reader pulls: records are read (from memory
 * or the file) only as fast as the reader asks for them, so a slow client costs neither memory nor the
 * build's time, and it can never miss or repeat a record because it always continues from the last seq
 * it was given.
 */
public final class LogFollower {
    private static final int BATCH = 256;

    private final Executor executor;

    /** @param executor runs the reads; appenders only schedule work on it, they never wait for readers */
    public LogFollower(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Records with seq greater than {@code afterSeq}. With {@code untilFinished} the stream follows the
     * build and completes when the log is finished; without, it completes at the record that was the
     * newest when the stream was subscribed.
     */
    public Multi<LogRecord> follow(BuildLog log, long afterSeq, boolean untilFinished) {
        return followBatches(log, afterSeq, untilFinished).onItem().transformToIterable(batch -> batch);
    }

    /**
     * Like {@link #follow}, but each item is every record available at that moment (up to 256): a writer
     * that sends one item per network write then keeps up with a fast build at one write per batch.
     */
    public Multi<List<LogRecord>> followBatches(BuildLog log, long afterSeq, boolean untilFinished) {
        Flow.Publisher<List<LogRecord>> publisher =
                subscriber -> new Subscription(log, Math.max(0, afterSeq), untilFinished, subscriber).start();
        return Multi.createFrom().publisher(publisher);
    }

    private final class Subscription implements Flow.Subscription {
        private final BuildLog log;
        private final boolean untilFinished;
        private final Flow.Subscriber<? super List<LogRecord>> subscriber;
        private final AtomicLong requested = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private final AtomicBoolean done = new AtomicBoolean();
        private final Runnable listener = this::schedule;
        private final long endSeq;
        private volatile boolean cancelled;
        private long lastSeq;

        Subscription(
                BuildLog log,
                long afterSeq,
                boolean untilFinished,
                Flow.Subscriber<? super List<LogRecord>> subscriber) {
            this.log = log;
            this.untilFinished = untilFinished;
            this.subscriber = subscriber;
            this.lastSeq = afterSeq;
            this.endSeq = log.lastSeq();
        }

        void start() {
            // listen before the first read so that nothing appended in between goes unnoticed
            if (untilFinished) {
                log.addListener(listener);
            }
            subscriber.onSubscribe(this);
            schedule();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                terminate(new IllegalArgumentException("request must be positive: " + n));
                return;
            }
            requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            schedule();
        }

        @Override
        public void cancel() {
            cancelled = true;
            log.removeListener(listener);
        }

        private void schedule() {
            if (wip.getAndIncrement() == 0) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            int missed = 1;
            do {
                try {
                    drainOnce();
                } catch (Exception e) {
                    terminate(e);
                    return;
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private void drainOnce() throws Exception {
            while (!cancelled && !done.get()) {
                // read "finished" before the records: if the log was finished then, the read sees its end
                boolean finishedBefore = log.isFinished();
                long end = untilFinished ? Long.MAX_VALUE : endSeq;
                if (lastSeq >= end || (finishedBefore && lastSeq >= log.lastSeq())) {
                    complete();
                    return;
                }
                if (requested.get() == 0) {
                    return;
                }
                List<LogRecord> batch = log.read(lastSeq, (int) Math.min(BATCH, end - lastSeq));
                if (batch.isEmpty()) {
                    if (finishedBefore) {
                        complete();
                    }
                    return;
                }
                if (cancelled) {
                    return;
                }
                lastSeq = batch.get(batch.size() - 1).seq();
                requested.decrementAndGet();
                subscriber.onNext(batch);
            }
        }

        private void complete() {
            if (done.compareAndSet(false, true)) {
                log.removeListener(listener);
                subscriber.onComplete();
            }
        }

        private void terminate(Throwable error) {
            if (done.compareAndSet(false, true)) {
                log.removeListener(listener);
                subscriber.onError(error);
            }
        }
    }
}
