package dev.locald.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON mappers locald uses, each configured once and named for what it is for. They are shared: never
 * call {@code configure}, {@code enable} or {@code registerModule} on one; derive an {@code ObjectReader}
 * or {@code ObjectWriter} (e.g. {@code writerWithDefaultPrettyPrinter()}) for a per-use variant instead.
 */
public final class Json {

    /**
     * Jackson's defaults. As a reader it is lenient: content after the first value is ignored and the
     * last of duplicate keys wins. Used for documents from registries, image labels and runc (which the
     * callers validate field by field) and for writing small documents.
     */
    public static final ObjectMapper PLAIN = JsonMapper.builder().build();

    /**
     * Strict reader for request bodies a client sends: duplicate keys, trailing content after the value
     * and comments are errors, so one body cannot mean different things to locald and to a proxy in front.
     */
    public static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    /** {@code java.time} values, instants as ISO-8601 strings: API bodies written by hand and log lines. */
    public static final ObjectMapper ISO_TIME = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    /**
     * Records locald writes and reads back across versions (build records): instants and durations as
     * ISO-8601 strings, {@code Optional} fields, and unknown properties ignored so that an older locald can
     * read a newer record.
     */
    public static final ObjectMapper RECORDS = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {}
}
