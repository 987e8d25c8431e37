package dev.locald.lifecycle;

import java.util.Locale;

/** The lifecycle's {@code CNB_LOG_LEVEL} values. */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
