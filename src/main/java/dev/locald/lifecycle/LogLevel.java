package dev.locald.lifecycle;

import java.util.Locale;

/** The lifecycle's {@code CNB_LOG_LEVEL} values. */
public enum LogLevel {
    DEBUG,
    INFO,
    WARN,
    ERROR;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LogLevel parse(String text) {
        for (LogLevel l : values()) {
            if (l.value().equals(text)) {
                return l;
            }
        }
        throw new IllegalArgumentException(
                "log level must be debug, info, warn or error, not " + BuildpackRef.quote(text));
    }
}
