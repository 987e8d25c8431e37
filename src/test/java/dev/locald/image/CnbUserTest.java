package dev.locald.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CnbUserTest {

    @Test
    void readsIdsFromTheBuilderEnv() {
        assertEquals(
                new CnbUser(1001, 1000),
                CnbUser.fromImageEnv(
                        "b", List.of("PATH=/bin", "CNB_USER_ID=5", "CNB_GROUP_ID=1000", "CNB_USER_ID=1001")));
    }

    @Test
    void missingRootOrGarbageIdsAreRefusedByName() {
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> CnbUser.fromImageEnv("b", List.of("CNB_GROUP_ID=1")))
                        .getMessage()
                        .contains("lacks the required env var CNB_USER_ID"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> CnbUser.fromImageEnv("b", List.of("CNB_USER_ID=0", "CNB_GROUP_ID=0")))
                .getMessage()
                .contains("refuses to run buildpacks as root"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> CnbUser.fromImageEnv("b", List.of("CNB_USER_ID=abc", "CNB_GROUP_ID=1")))
                .getMessage()
                .contains("CNB_USER_ID is not a non-negative integer"));
        assertThrows(
                IllegalArgumentException.class,
                () -> CnbUser.fromImageEnv("b", List.of("CNB_USER_ID=-5", "CNB_GROUP_ID=1")));
        assertThrows(
                IllegalArgumentException.class,
                () -> CnbUser.fromImageEnv("b", List.of("CNB_USER_ID=1000", "CNB_GROUP_ID=99999999999")));
    }
}
