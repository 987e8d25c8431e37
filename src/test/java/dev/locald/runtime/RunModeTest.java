package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunModeTest {

    private static final String ROOT_STATUS = "Name:\tjava\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n";

    @Test
    void theIdentityMapIsRootMode() {
        RunMode mode = RunMode.parse("         0          0 4294967295\n", ROOT_STATUS);
        assertFalse(mode.rootless());
        assertEquals("root", mode.name());
        assertTrue(mode.problem().isEmpty());
    }

    @Test
    void aMapOfTheUserAndSubordinateIdsIsRootless() {
        RunMode mode =
                RunMode.parse("         0       1001          1\n         1     100000      65535\n", ROOT_STATUS);
        assertTrue(mode.rootless());
        assertEquals(65536, mode.mappedIds());
        assertTrue(mode.problem().isEmpty());
    }

    @Test
    void aSingleIdMapCannotHoldTheCnbUser() {
        RunMode mode = RunMode.parse("0 1001 1\n", ROOT_STATUS);
        assertTrue(mode.problem().orElseThrow().contains("maps 1 ids"));
    }

    @Test
    void anOrdinaryUserOutsideANamespaceCannotBuild() {
        RunMode mode = RunMode.parse("0 0 4294967295\n", "Uid:\t1001\t1001\t1001\t1001\n");
        assertFalse(mode.rootless());
        assertTrue(mode.problem().orElseThrow().contains("uid 1001"));
    }

    @Test
    void theSuiteRunsInAModeThatCanBuild() {
        // the suite runs containers: as root (CI) or as root of the user's namespace (scripts/test as a user)
        RunMode mode = RunMode.current();
        assertEquals(0, mode.uid());
        assertTrue(mode.problem().isEmpty(), mode.problem().orElse(""));
    }
}
