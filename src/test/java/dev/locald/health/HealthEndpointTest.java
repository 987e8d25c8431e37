package dev.locald.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import dev.locald.testsupport.OpsTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** The probes as an orchestrator sees them, on the running service. */
@QuarkusTest
@TestProfile(OpsTestProfile.class)
class HealthEndpointTest {

    @Test
    void readinessRunsTheRealChecks() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body(
                        "checks.name",
                        hasItems(RuncCheck.NAME, DataDirCheck.NAME, RootfsModeCheck.NAME, BuildQueueCheck.NAME))
                .body("checks.find { it.name == 'runc' }.data.version", matchesPattern("\\d+\\.\\d+\\.\\d+.*"))
                .body("checks.find { it.name == 'data-dir' }.data.freeBytes", notNullValue())
                .body("checks.find { it.name == 'rootfs' }.data.assembly", notNullValue())
                .body("checks.find { it.name == 'build-queue' }.data.capacity", notNullValue());
    }

    @Test
    void livenessLooksAtTheBuildWorkersOnly() {
        given().get("/q/health/live")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems(BuildWorkersCheck.NAME))
                .body("checks.find { it.name == 'build-workers' }.data.alive", notNullValue());
    }

    @Test
    void startupIsUpOnceCrashRecoveryRan() {
        given().get("/q/health/started")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems(StartupRecoveryCheck.NAME));
    }
}
