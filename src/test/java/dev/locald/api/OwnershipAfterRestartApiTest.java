package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * Build ownership survives a restart: the records a previous locald wrote (each with its token's name) are
 * loaded at start, and a builder token still sees its own builds and only those.
 */
@QuarkusTest
@TestProfile(SharedServiceTestProfile.class)
class OwnershipAfterRestartApiTest {

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void aBuilderTokenStillSeesItsOwnBuildsAndOnlyThose() {
        String mine = SharedServiceTestProfile.ALICE_DONE.value();
        String interrupted = SharedServiceTestProfile.ALICE_INTERRUPTED.value();
        String bobs = SharedServiceTestProfile.BOB_DONE.value();
        as(SharedServiceTestProfile.ALICE)
                .get("/builds/" + mine)
                .then()
                .statusCode(200)
                .body("state", equalTo("succeeded"))
                .body("owner", equalTo("alice"));
        // the build that was queued when the previous locald stopped is failed by recovery and still alice's
        as(SharedServiceTestProfile.ALICE)
                .get("/builds/" + interrupted)
                .then()
                .statusCode(200)
                .body("state", equalTo("failed"))
                .body("error", equalTo("locald stopped while this build was running"))
                .body("owner", equalTo("alice"));
        as(SharedServiceTestProfile.ALICE).get("/builds/" + bobs).then().statusCode(404);
        as(SharedServiceTestProfile.ALICE)
                .get("/builds/" + bobs + "/logs")
                .then()
                .statusCode(404);
        as(SharedServiceTestProfile.ALICE).delete("/builds/" + bobs).then().statusCode(404);
        as(SharedServiceTestProfile.ALICE)
                .get("/builds?limit=100")
                .then()
                .statusCode(200)
                .body("items.id", hasItems(mine, interrupted))
                .body("items.id", not(hasItem(bobs)));
        as(SharedServiceTestProfile.BOB)
                .get("/builds/" + bobs)
                .then()
                .statusCode(200)
                .body("owner", equalTo("bob"));
        as(SharedServiceTestProfile.BOB).get("/builds/" + mine).then().statusCode(404);
        as(SharedServiceTestProfile.ADMIN)
                .get("/builds?limit=100")
                .then()
                .statusCode(200)
                .body("items.id", hasItems(mine, interrupted, bobs))
                .body("items.owner", hasItems("alice", "bob"));
    }
}
