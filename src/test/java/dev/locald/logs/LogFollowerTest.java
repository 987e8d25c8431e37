package dev.locald.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFollowerTest {
    @TempDir
    Path dir;

    private final ExecutorService readers = Executors.newFixedThreadPool(2);
    private final LogFollower follower = new LogFollower(readers);

    @AfterEach
    void stop() {
        readers.shutdownNow();
    }

    @Test
    void followerGetsBacklogThenLiveLinesThenCompletesAtTheEnd() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), new LogLimits(1024, 1 << 20, 5));
        for (int i = 1; i <= 20; i++) {
            log.append("build", LogStream.STDOUT, Instant.now(), "old " + i);
        }
        AssertSubscriber<LogRecord> sub =
                follower.follow(log, 3, true).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        sub.awaitItems(17, Duration.ofSeconds(5));
        for (int i = 1; i <= 10; i++) {
            log.append("build", LogStream.STDOUT, Instant.now(), "new " + i);
        }
        sub.awaitItems(27, Duration.ofSeconds(5));
        log.finish();
        sub.awaitCompletion(Duration.ofSeconds(5));
        List<Long> seqs = sub.getItems().stream().map(LogRecord::seq).toList();
        assertEquals(27, seqs.size());
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(4 + i, seqs.get(i));
        }
        assertEquals("new 10", sub.getItems().get(26).text());
    }

    @Test
    void withoutFollowTheStreamEndsAtTheCurrentEnd() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), LogLimits.defaults());
        log.append("build", LogStream.STDOUT, Instant.now(), "a");
        log.append("build", LogStream.STDOUT, Instant.now(), "b");
        AssertSubscriber<LogRecord> sub =
                follower.follow(log, 0, false).subscribe().withSubscriber(AssertSubscriber.create(10));
        sub.awaitCompletion(Duration.ofSeconds(5));
        assertEquals(2, sub.getItems().size());
    }

    @Test
    void slowReaderNeitherBlocksTheBuildNorLosesLines() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), new LogLimits(1024, 64L << 20, 100));
        AssertSubscriber<LogRecord> slow =
                follower.follow(log, 0, true).subscribe().withSubscriber(AssertSubscriber.create(1));
        List<AssertSubscriber<LogRecord>> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(follower.follow(log, 0, true).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE)));
        }
        long start = System.nanoTime();
        for (int i = 1; i <= 5_000; i++) {
            log.append("build", LogStream.STDOUT, Instant.now(), "line " + i);
        }
        log.finish();
        Duration appendTime = Duration.ofNanos(System.nanoTime() - start);
        // the reader that asked for one line holds nothing up
        assertEquals(1, slow.awaitItems(1, Duration.ofSeconds(5)).getItems().size());
        assertTrue(appendTime.compareTo(Duration.ofSeconds(10)) < 0, "appending took " + appendTime);
        for (AssertSubscriber<LogRecord> s : many) {
            s.awaitCompletion(Duration.ofSeconds(30));
            assertEquals(5_000, s.getItems().size());
            assertEquals(5_000, s.getItems().get(4_999).seq());
        }
        // and it still gets every line, in order, from the file, when it asks
        slow.request(Long.MAX_VALUE);
        slow.awaitCompletion(Duration.ofSeconds(30));
        List<LogRecord> got = slow.getItems();
        assertEquals(5_000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i + 1, got.get(i).seq());
        }
    }

    @Test
    void cancelledSubscriptionStopsListening() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), LogLimits.defaults());
        AssertSubscriber<LogRecord> sub =
                follower.follow(log, 0, true).subscribe().withSubscriber(AssertSubscriber.create(10));
        log.append("build", LogStream.STDOUT, Instant.now(), "a");
        sub.awaitItems(1, Duration.ofSeconds(5));
        sub.cancel();
        log.append("build", LogStream.STDOUT, Instant.now(), "b");
        Thread.sleep(100);
        assertEquals(1, sub.getItems().size());
    }

    @Test
    void oneAtATimeReaderSeesLinesWithinMilliseconds() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), LogLimits.defaults());
        List<Long> micros = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService other = Executors.newSingleThreadExecutor();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        follower.follow(log, 0, true).subscribe().withSubscriber(new java.util.concurrent.Flow.Subscriber<LogRecord>() {
            java.util.concurrent.Flow.Subscription s;

            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                this.s = s;
                s.request(1);
            }

            public void onNext(LogRecord r) {
                micros.add((System.nanoTime() - Long.parseLong(r.text())) / 1000);
                other.execute(() -> s.request(1)); // as an HTTP writer does once the write completed
            }

            public void onError(Throwable t) {
                done.countDown();
            }

            public void onComplete() {
                done.countDown();
            }
        });
        for (int i = 0; i < 200; i++) {
            log.append("build", LogStream.STDOUT, Instant.now(), Long.toString(System.nanoTime()));
            Thread.sleep(5);
        }
        log.finish();
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
        other.shutdownNow();
        List<Long> sorted = micros.stream().sorted().toList();
        System.out.printf("in-process follower latency: p50 %d us, p99 %d us%n", sorted.get(100), sorted.get(197));
        assertEquals(200, sorted.size());
        assertTrue(sorted.get(197) < 50_000, "p99 " + sorted.get(197) + " us");
    }
}
