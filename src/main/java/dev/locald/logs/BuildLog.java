package dev.locald.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.json.Json;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The log of one build: an append-only file with one JSON object per line (seq, time, phase, stream,
 * text), which is the durable truth, plus the most recent records in memory for live followers.
 *
 * <p>Every line is redacted and capped before it is stored, so nothing readable from the file, the
 * memory window or a stream ever holds a registered secret. Appending never waits for readers: followers
 * ({@link LogFollower}) pull from here at their own pace and are only poked when something new arrives.
 */
public final class BuildLog {
    static final int INDEX_EVERY = 64;
    private static final ObjectMapper JSON = Json.ISO_TIME;

    private final Path file;
    private final Redactor redactor;
    private final LogLimits limits;
    private final ArrayDeque<LogRecord> recent = new ArrayDeque<>();
    /** seq → byte offset of that record's line, for every {@value #INDEX_EVERY}th record. */
    private final TreeMap<Long, Long> offsets = new TreeMap<>();

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private OutputStream out;
    private long fileBytes;
    private volatile long lastSeq;
    private volatile boolean finished;
    private long storedTextBytes;
    private boolean capReached;
    private long droppedLines;
    private long droppedBytes;

    private BuildLog(Path file, Redactor redactor, LogLimits limits) {
        this.file = file;
        this.redactor = redactor;
        this.limits = limits;
    }

    /** Starts a new, empty log at {@code file} (its directory must exist; the file must not). */
    public static BuildLog create(Path file, Redactor redactor, LogLimits limits) throws IOException {
        BuildLog log = new BuildLog(file, redactor, limits);
        Files.createFile(file);
        // FileOutputStream, not a channel stream: an interrupt on the appending thread must not close the log
        log.out = new FileOutputStream(file.toFile(), true);
        return log;
    }

    /**
     * Opens the log of a build that is no longer running (after a restart): read-only and finished. A
     * missing file is an empty log; a torn last line (the service died mid-write) is ignored.
     */
    public static BuildLog openFinished(Path file, LogLimits limits) throws IOException {
        BuildLog log = new BuildLog(file, new Redactor(), limits);
        log.scanExisting();
        log.finished = true;
        return log;
    }

    public Path file() {
        return file;
    }

    /** The seq of the newest stored record, 0 when empty. */
    public long lastSeq() {
        return lastSeq;
    }

    /** True once the build ended and no record will follow. */
    public boolean isFinished() {
        return finished;
    }

    /**
     * Stores text written by a phase (or by locald). Text with line breaks becomes one record per line.
     * Lines arriving after {@link #finish()} are ignored: a phase process may still flush output while the
     * build is being torn down.
     */
    public void append(String phase, LogStream stream, Instant time, String text) {
        boolean stored = false;
        synchronized (this) {
            if (finished) {
                return;
            }
            for (String line : splitLines(text)) {
                stored |= store(phase, stream, time, line);
            }
        }
        if (stored) {
            notifyListeners();
        }
    }

    /** Marks the end of the build: writes the dropped-lines notice if the total cap was hit, then closes the file. */
    public void finish() {
        synchronized (this) {
            if (finished) {
                return;
            }
            if (droppedLines > 0) {
                write(
                        null,
                        LogStream.SYSTEM,
                        Instant.now(),
                        "log truncated: " + droppedLines + " more lines (" + droppedBytes + " bytes) were not stored");
            }
            finished = true;
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not close build log " + file, e);
            }
        }
        notifyListeners();
    }

    /**
     * Up to {@code max} records with seq greater than {@code afterSeq}, oldest first. Recent records come
     * from memory; older ones are read back from the file.
     */
    public List<LogRecord> read(long afterSeq, int max) throws IOException {
        if (max <= 0) {
            return List.of();
        }
        long fromOffset;
        long upTo;
        synchronized (this) {
            upTo = lastSeq;
            if (afterSeq >= upTo) {
                return List.of();
            }
            LogRecord oldest = recent.peekFirst();
            if (oldest != null && oldest.seq() <= afterSeq + 1) {
                List<LogRecord> result = new ArrayList<>(Math.min(max, (int) (upTo - afterSeq)));
                for (LogRecord r : recent) {
                    if (r.seq() > afterSeq) {
                        result.add(r);
                        if (result.size() == max) {
                            break;
                        }
                    }
                }
                return result;
            }
            Map.Entry<Long, Long> floor = offsets.floorEntry(Math.max(1, afterSeq + 1));
            fromOffset = floor == null ? 0 : floor.getValue();
        }
        return readFile(fromOffset, afterSeq, upTo, max);
    }

    /** Registers a callback run (on the appending thread, so it must not block) after new records or the end. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private boolean store(String phase, LogStream stream, Instant time, String rawText) {
        String text = capLine(redactor.redact(rawText));
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (capReached || storedTextBytes + bytes > limits.maxTotalBytes()) {
            boolean wroteNotice = false;
            if (!capReached) {
                capReached = true;
                write(
                        null,
                        LogStream.SYSTEM,
                        time,
                        "log truncated: this build wrote more than " + limits.maxTotalBytes()
                                + " bytes of log; further lines are not stored");
                wroteNotice = true;
            }
            droppedLines++;
            droppedBytes += bytes;
            return wroteNotice;
        }
        storedTextBytes += bytes;
        write(phase, stream, time, text);
        return true;
    }

    private void write(String phase, LogStream stream, Instant time, String text) {
        LogRecord record = new LogRecord(lastSeq + 1, time, phase, stream, text);
        byte[] line;
        try {
            line = (JSON.writeValueAsString(FileLine.of(record)) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("log record not serializable", e);
        }
        try {
            out.write(line);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write build log " + file, e);
        }
        remember(record, fileBytes);
        fileBytes += line.length;
        lastSeq = record.seq();
    }

    private void remember(LogRecord record, long offset) {
        if ((record.seq() - 1) % INDEX_EVERY == 0) {
            offsets.put(record.seq(), offset);
        }
        recent.addLast(record);
        while (recent.size() > limits.memoryRecords()) {
            recent.removeFirst();
        }
    }

    private String capLine(String text) {
        int max = limits.maxLineChars();
        if (text.length() <= max) {
            return text;
        }
        int cut = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, cut) + " [line truncated: " + text.length() + " characters]";
    }

    private List<LogRecord> readFile(long fromOffset, long afterSeq, long upTo, int max) throws IOException {
        List<LogRecord> result = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(fromOffset);
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String line;
            while (result.size() < max && (line = reader.readLine()) != null) {
                LogRecord record = JSON.readValue(line, FileLine.class).toRecord();
                if (record.seq() > afterSeq) {
                    result.add(record);
                }
                // lines past upTo may still be half written
                if (record.seq() >= upTo) {
                    break;
                }
            }
        }
        return result;
    }

    private void scanExisting() throws IOException {
        long offset = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                LogRecord record;
                try {
                    record = JSON.readValue(line, FileLine.class).toRecord();
                } catch (IOException | RuntimeException torn) {
                    break;
                }
                if (record.seq() != lastSeq + 1) {
                    break;
                }
                remember(record, offset);
                offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
                lastSeq = record.seq();
            }
        } catch (NoSuchFileException e) {
            // no line was ever written
        }
        fileBytes = offset;
    }

    private void notifyListeners() {
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    private static List<String> splitLines(String text) {
        if (text == null) {
            return List.of("");
        }
        if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return List.of(text);
        }
        String trimmed = text.endsWith("\r\n")
                ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        List<String> lines = new ArrayList<>();
        for (String line : trimmed.split("\r?\n", -1)) {
            lines.add(line.replace('\r', ' '));
        }
        return lines;
    }

    /** The on-disk shape of a record (kept separate so the file format is explicit). */
    record FileLine(long seq, Instant time, String phase, LogStream stream, String text) {
        static FileLine of(LogRecord r) {
            return new FileLine(r.seq(), r.time(), r.phase(), r.stream(), r.text());
        }

        LogRecord toRecord() {
            return new LogRecord(seq, time, phase, stream, text);
        }
    }
}
