package dev.locald.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.locald.logs.LogRecord;
import java.time.Instant;
import java.util.Locale;

/** One log record in NDJSON and in SSE data: seq, time, phase (absent for locald's own lines), stream, text. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LogLineView(long seq, Instant time, String phase, String stream, String text) {
    static LogLineView of(LogRecord r) {
        return new LogLineView(r.seq(), r.time(), r.phase(), r.stream().name().toLowerCase(Locale.ROOT), r.text());
    }
}
