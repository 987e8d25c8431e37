package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine is wired from configuration and the startup sweep ran (and found nothing to do). */
@QuarkusTest
class RuntimeProducersTest {

    @Inject
    ContainerRunner runner;

    @Inject
    ContainerSweeper sweeper;

    @Inject
    RuncClient runc;

    @Test
    void engineIsWiredWithItsOwnStateRootUnderTheDataDir() throws Exception {
        assertEquals(Path.of("target/locald-test/runc").toAbsolutePath(), runc.stateRoot());
        assertEquals(List.of(), runc.list());
        assertTrue(sweeper.sweep().isEmpty());
    }
}
