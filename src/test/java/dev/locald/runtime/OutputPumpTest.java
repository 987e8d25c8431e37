package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputPumpTest {

    private static List<String> pump(byte[] input, int cap) {
        List<String> lines = new ArrayList<>();
        new OutputPump(new ByteArrayInputStream(input), StreamKind.STDOUT, (s, t, text) -> lines.add(text), cap).run();
        return lines;
    }

    @Test
    void splitsOnNewlinesAndKeepsALastLineWithoutOne() {
        assertEquals(List.of("a", "", "b c", "tail"), pump("a\n\nb c\ntail".getBytes(StandardCharsets.UTF_8), 1024));
    }

    @Test
    void longLinesArriveInCappedPieces() {
        String line = "x".repeat(2500);
        assertEquals(
                List.of("x".repeat(1024), "x".repeat(1024), "x".repeat(452), "y"),
                pump((line + "\ny\n").getBytes(StandardCharsets.UTF_8), 1024));
    }

    @Test
    void aCapNeverCutsAMultiByteCharacter() {
        // 1023 ASCII bytes then "é" (2 bytes): the cap falls inside the character, which moves whole
        String text = "a".repeat(1023) + "é" + "€".repeat(3);
        List<String> lines = pump((text + "\n").getBytes(StandardCharsets.UTF_8), 1024);
        assertEquals(List.of("a".repeat(1023), "é€€€"), lines);
        assertEquals(text, String.join("", lines));
    }

    @Test
    void aFailingSinkDoesNotStopTheDraining() {
        ByteArrayInputStream in = new ByteArrayInputStream("1\n2\n3\n".getBytes(StandardCharsets.UTF_8));
        IllegalStateException boom = new IllegalStateException("disk full");
        List<String> seen = new ArrayList<>();
        OutputPump pump = new OutputPump(
                in,
                StreamKind.STDERR,
                (s, t, text) -> {
                    seen.add(text);
                    throw boom;
                },
                1024);
        pump.run();
        assertEquals(List.of("1"), seen);
        assertSame(boom, pump.sinkFailure());
        assertEquals(0, in.available(), "drained");
    }
}
