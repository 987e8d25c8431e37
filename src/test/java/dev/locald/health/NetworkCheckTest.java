package dev.locald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The readiness check with the real pasta of this machine, and with a missing one. */
class NetworkCheckTest {

    @Test
    void isolatedIsAvailableWithPastaInstalled() {
        HealthCheckResponse response = new NetworkCheck("isolated", "pasta").call();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("isolated,host,none", response.getData().orElseThrow().get("available"));
        assertTrue(response.getData().orElseThrow().get("pasta").toString().endsWith("/pasta"));
    }

    @Test
    void aMissingPastaMakesTheIsolatedDefaultNotReadyAndSaysWhy() {
        HealthCheckResponse response = new NetworkCheck("isolated", "/nonexistent/pasta").call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("host,none", response.getData().orElseThrow().get("available"));
        assertTrue(response.getData().orElseThrow().get("isolated").toString().contains("apt-get install passt"));
    }

    @Test
    void aMissingPastaDoesNotMatterWhenTheDefaultIsHost() {
        HealthCheckResponse response = new NetworkCheck("host", "/nonexistent/pasta").call();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
    }
}
