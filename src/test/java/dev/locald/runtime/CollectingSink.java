package dev.locald.runtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Keeps every line (for small outputs only). */
final class CollectingSink implements OutputSink {

    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();

    @Override
    public synchronized void line(StreamKind stream, Instant time, String text) {
        (stream == StreamKind.STDOUT ? stdout : stderr).add(text);
    }

    synchronized List<String> stdout() {
        return List.copyOf(stdout);
    }

    synchronized List<String> stderr() {
        return List.copyOf(stderr);
    }

    synchronized String stdoutText() {
        return String.join("\n", stdout);
    }
}
