package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignalsTest {

    @Test
    void exitCodesAbove128NameTheSignal() {
        assertEquals(Optional.of("SIGKILL"), Signals.fromExitCode(137));
        assertEquals(Optional.of("SIGTERM"), Signals.fromExitCode(143));
        assertEquals(Optional.of("SIGSEGV"), Signals.fromExitCode(139));
        assertEquals(Optional.of("SIGRTMIN+2"), Signals.fromExitCode(128 + 36));
        assertEquals(Optional.empty(), Signals.fromExitCode(0));
        assertEquals(Optional.empty(), Signals.fromExitCode(128));
        assertEquals(Optional.empty(), Signals.fromExitCode(255));
    }
}
