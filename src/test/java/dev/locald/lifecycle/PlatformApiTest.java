package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformApiTest {

    @Test
    void parsesAndPrintsMajorMinor() {
        PlatformApi api = PlatformApi.parse("0.13");
        assertEquals(new PlatformApi(0, 13), api);
        assertEquals("0.13", api.toString());
        assertEquals(new PlatformApi(1, 0), PlatformApi.parse(" 1.0 "));
    }

    @Test
    void ordersNumericallyNotLexically() {
        List<PlatformApi> apis = new ArrayList<>(List.of(
                PlatformApi.parse("0.10"),
                PlatformApi.parse("0.9"),
                PlatformApi.parse("1.0"),
                PlatformApi.parse("0.14")));
        Collections.sort(apis);
        assertEquals("[0.9, 0.10, 0.14, 1.0]", apis.toString());
        assertTrue(PlatformApi.parse("0.13").atLeast("0.12"));
        assertTrue(PlatformApi.parse("0.13").atLeast("0.13"));
        assertFalse(PlatformApi.parse("0.12").atLeast("0.13"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "0.1.2", "v0.12", "0.x", "00.12", "0.012", "-1.2", "0.12-rc", "99999999.1"})
    void refusesMalformedVersions(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlatformApi.parse(text));
        assertTrue(e.getMessage().contains("not a platform API version"), e.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(IllegalArgumentException.class, () -> PlatformApi.parse(null));
    }
}
