package dev.locald.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildLogTest {
    @TempDir
    Path dir;

    @Test
    void recordsAreNumberedAndReadFromMemoryOrFileAlike() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), new LogLimits(1024, 1 << 20, 10));
        for (int i = 1; i <= 100; i++) {
            log.append("build", LogStream.STDOUT, Instant.now(), "line " + i);
        }
        assertEquals(100, log.lastSeq());
        // from memory (last 10) and from the file (older), the same shape
        List<LogRecord> recent = log.read(95, 100);
        assertEquals(5, recent.size());
        assertEquals(96, recent.get(0).seq());
        for (long after : new long[] {0, 1, 63, 64, 65, 70, 89}) {
            List<LogRecord> fromFile = log.read(after, 7);
            assertEquals(7, fromFile.size(), "after " + after);
            for (int i = 0; i < 7; i++) {
                assertEquals(after + i + 1, fromFile.get(i).seq());
                assertEquals("line " + (after + i + 1), fromFile.get(i).text());
            }
        }
        assertEquals(List.of(), log.read(100, 10));
        log.finish();
        assertTrue(log.isFinished());
    }

    @Test
    void multiLineTextBecomesOneRecordPerLine() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), LogLimits.defaults());
        log.append("detect", LogStream.STDERR, Instant.now(), "a\r\nb\nc\n");
        List<LogRecord> records = log.read(0, 10);
        assertEquals(
                List.of("a", "b", "c"), records.stream().map(LogRecord::text).toList());
    }

    @Test
    void longLinesAreCutAndMarked() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), new LogLimits(100, 1 << 20, 10));
        log.append("build", LogStream.STDOUT, Instant.now(), "x".repeat(5000));
        String text = log.read(0, 1).get(0).text();
        assertEquals("x".repeat(100) + " [line truncated: 5000 characters]", text);
    }

    @Test
    void totalCapWritesOneNoticeThenDropsAndCountsAtTheEnd() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), new LogLimits(1024, 2048, 10));
        for (int i = 0; i < 100; i++) {
            log.append("build", LogStream.STDOUT, Instant.now(), "0123456789".repeat(10));
        }
        log.finish();
        List<LogRecord> all = BuildLog.openFinished(dir.resolve("log.ndjson"), LogLimits.defaults())
                .read(0, 1000);
        assertEquals(20 + 2, all.size());
        assertTrue(
                all.get(20).text().startsWith("log truncated: this build wrote more than 2048 bytes"),
                all.get(20).text());
        assertEquals(
                "log truncated: 80 more lines (8000 bytes) were not stored",
                all.get(21).text());
        assertEquals(LogStream.SYSTEM, all.get(21).stream());
    }

    @Test
    void secretsNeverReachTheFile() throws Exception {
        Redactor redactor = new Redactor();
        redactor.addBasicAuth("bot", "hunter2-long");
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), redactor, LogLimits.defaults());
        log.append("export", LogStream.STDOUT, Instant.now(), "pushing with hunter2-long and Ym90Omh1bnRlcjItbG9uZw==");
        log.finish();
        String file = Files.readString(dir.resolve("log.ndjson"));
        assertFalse(file.contains("hunter2"), file);
        assertFalse(file.contains("Ym90Omh1bnRlcjItbG9uZw=="), file);
        assertTrue(file.contains("pushing with *** and ***"), file);
    }

    @Test
    void reopenedLogIgnoresATornLastLine() throws Exception {
        Path file = dir.resolve("log.ndjson");
        BuildLog log = BuildLog.create(file, new Redactor(), LogLimits.defaults());
        log.append(null, LogStream.SYSTEM, Instant.now(), "one");
        log.append("build", LogStream.STDOUT, Instant.now(), "two");
        log.finish();
        Files.write(file, "{\"seq\":3,\"time\":\"20".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        BuildLog reopened = BuildLog.openFinished(file, LogLimits.defaults());
        assertEquals(2, reopened.lastSeq());
        assertTrue(reopened.isFinished());
        assertEquals(
                List.of("one", "two"),
                reopened.read(0, 10).stream().map(LogRecord::text).toList());
        assertEquals("locald", reopened.read(0, 1).get(0).label());
    }

    @Test
    void missingFileIsAnEmptyFinishedLog() throws Exception {
        BuildLog log = BuildLog.openFinished(dir.resolve("none.ndjson"), LogLimits.defaults());
        assertEquals(0, log.lastSeq());
        assertEquals(List.of(), log.read(0, 10));
    }

    @Test
    void linesAfterFinishAreIgnored() throws Exception {
        BuildLog log = BuildLog.create(dir.resolve("log.ndjson"), new Redactor(), LogLimits.defaults());
        log.append("build", LogStream.STDOUT, Instant.now(), "kept");
        log.finish();
        log.append("build", LogStream.STDOUT, Instant.now(), "late");
        assertEquals(1, log.lastSeq());
    }
}
