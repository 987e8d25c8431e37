package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RegistryExtension;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A container printing about 100 MB of lines in bursts on both streams. */
@Timeout(300)
@ExtendWith({RegistryExtension.class, EngineExtension.class})
class ContainerOutputTest {

    static final int LINES_PER_STREAM = 500_000;
    static final int BURSTS = 5;

    static TestRegistry registry;
    static ImagePusher.PushedImage busybox;

    EngineFixture engine;

    @BeforeAll
    static void pushImage(TestRegistry testRegistry) {
        registry = testRegistry;
        busybox = registry.pusher()
                .push(
                        "engine/output",
                        "1",
                        TestImage.builder().layer(LayerTar.create().busybox()).build());
    }

    @BeforeEach
    void createEngine(EngineFixture engine) {
        this.engine = engine;
    }

    /** Checks each stream's lines arrive complete, in order, and only on their own stream; keeps nothing. */
    static final class CheckingSink implements OutputSink {
        final long[] next = {1, 1};
        final List<String> errors = new ArrayList<>();
        final List<Integer> pieces = new ArrayList<>();
        long bytes;
        Instant first;
        Instant last;
        long maxUsedHeap;

        @Override
        public synchronized void line(StreamKind stream, Instant time, String text) {
            first = first == null ? time : first;
            last = time;
            bytes += text.length() + 1;
            if (text.startsWith("long")) {
                pieces.add(text.length());
                return;
            }
            if (stream == StreamKind.STDOUT && pieces.size() > 0) {
                pieces.add(text.length());
                return;
            }
            String prefix = stream == StreamKind.STDOUT ? "out " : "err ";
            int index = stream.ordinal();
            String expected = prefix + String.format("%08d", next[index]);
            if (!text.startsWith(expected) || text.length() != 100) {
                if (errors.size() < 10) {
                    errors.add(stream + ": expected " + expected + "…, got "
                            + text.substring(0, Math.min(30, text.length())));
                }
            }
            next[index]++;
            if (next[index] % 50_000 == 0) {
                Runtime runtime = Runtime.getRuntime();
                maxUsedHeap = Math.max(maxUsedHeap, runtime.totalMemory() - runtime.freeMemory());
            }
        }
    }

    @Test
    void hundredMegabytesOfLinesInBurstsLoseNothingAndKeepStreamsApart() throws Exception {
        int perBurst = LINES_PER_STREAM / BURSTS;
        String pad = "x".repeat(87);
        String generator = "awk -v s=%d -v n=%d -v p=%s -v pad=" + pad
                + " 'BEGIN { for (i = s; i < s + n; i++) printf \"%%s %%08d %%s\\n\", p, i, pad }'";
        StringBuilder script = new StringBuilder("(");
        for (int b = 0; b < BURSTS; b++) {
            script.append(String.format(generator, 1 + b * perBurst, perBurst, "out"))
                    .append("; sleep 0.3; ");
        }
        script.append(") & (");
        for (int b = 0; b < BURSTS; b++) {
            script.append(String.format(generator, 1 + b * perBurst, perBurst, "err"))
                    .append(" >&2; sleep 0.3; ");
        }
        // then one 200 KiB line without a newline, which must arrive in capped pieces
        script.append(") ; wait; printf 'long'; head -c 204796 /dev/zero | tr '\\\\0' y");
        ContainerRequest request = ContainerRequest.builder(
                        EngineFixture.newId(), engine.rootfs(registry, busybox), EngineFixture.CNB)
                .args("/bin/sh", "-c", script.toString())
                .timeout(Duration.ofMinutes(4))
                .build();
        CheckingSink sink = new CheckingSink();
        Instant start = Instant.now();
        ContainerResult result = engine.runner.run(request, sink, Cancellation.none());
        Instant end = Instant.now();

        assertEquals(0, result.exitCode());
        assertEquals(List.of(), sink.errors);
        assertEquals(LINES_PER_STREAM + 1, sink.next[0], "stdout lines");
        assertEquals(LINES_PER_STREAM + 1, sink.next[1], "stderr lines");
        assertEquals(List.of(65536, 65536, 65536, 8192), sink.pieces);
        assertTrue(sink.bytes > 100_000_000L, "bytes: " + sink.bytes);
        // streamed while the container ran: the bursts span more than a second, the first line came early
        assertTrue(Duration.between(sink.first, sink.last).toMillis() > 1000, sink.first + " .. " + sink.last);
        assertTrue(Duration.between(start, sink.first)
                        .compareTo(Duration.between(start, end).dividedBy(2))
                < 0);
        System.out.printf(
                "output test: %d bytes in %d ms, max used heap sampled %d MiB%n",
                sink.bytes, Duration.between(start, end).toMillis(), sink.maxUsedHeap / (1024 * 1024));
    }
}
