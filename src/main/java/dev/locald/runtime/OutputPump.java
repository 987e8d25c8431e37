package dev.locald.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads one output stream of a container and hands it to the sink line by line, with the time each
 * line was read. Memory is bounded by the line cap: a longer line is delivered in pieces (split on a
 * UTF-8 character boundary), nothing is accumulated. When the sink fails, the stream is still drained
 * (so the container never blocks on a full pipe) and the first failure is kept for the runner.
 */
final class OutputPump implements Runnable {

    private final InputStream in;
    private final StreamKind kind;
    private final OutputSink sink;
    private final byte[] line;
    private int length;
    private volatile RuntimeException sinkFailure;
    private volatile IOException readFailure;

    OutputPump(InputStream in, StreamKind kind, OutputSink sink, int maxLineBytes) {
        this.in = in;
        this.kind = kind;
        this.sink = sink;
        this.line = new byte[maxLineBytes];
    }

    @Override
    public void run() {
        byte[] buffer = new byte[16 * 1024];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                for (int i = 0; i < read; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        emit(length);
                    } else {
                        if (length == line.length) {
                            emitSplit();
                        }
                        line[length++] = b;
                    }
                }
            }
            if (length > 0) {
                emit(length);
            }
        } catch (IOException e) {
            readFailure = e;
        }
    }

    /** Emits as much of a full buffer as ends on a character boundary and keeps the rest. */
    private void emitSplit() {
        int cut = length;
        int continuation = 0;
        while (continuation < 3 && length - 1 - continuation >= 0 && (line[length - 1 - continuation] & 0xC0) == 0x80) {
            continuation++;
        }
        int lead = length - 1 - continuation;
        if (lead >= 0 && (line[lead] & 0xC0) == 0xC0) {
            int b = line[lead] & 0xFF;
            int expected = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (continuation + 1 < expected && lead > 0) {
                cut = lead; // the last character is incomplete: keep it for the next piece
            }
        }
        int rest = length - cut;
        emit(cut);
        System.arraycopy(line, cut, line, 0, rest);
        length = rest;
    }

    private void emit(int count) {
        String text = new String(line, 0, count, StandardCharsets.UTF_8);
        length = 0;
        if (sinkFailure != null) {
            return;
        }
        try {
            sink.line(kind, Instant.now(), text);
        } catch (RuntimeException e) {
            sinkFailure = e;
        }
    }

    RuntimeException sinkFailure() {
        return sinkFailure;
    }

    IOException readFailure() {
        return readFailure;
    }
}
