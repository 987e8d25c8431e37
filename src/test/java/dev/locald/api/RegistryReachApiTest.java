package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * With the production default ({@code locald.registry.allow-loopback=false}) a request naming a registry on
 * locald's own machine is refused with a 400 naming the field, the rule and the key; link-local registries are
 * refused whatever the key says ({@code MalformedRequestTest} shows them with loopback allowed).
 */
@QuarkusTest
@TestProfile(SharedServiceTestProfile.class)
class RegistryReachApiTest {

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    private static Response submit(String image, String builder, String extra) {
        String json = "{\"image\":\"" + image + "\",\"builder\":\"" + builder + "\",\"env\":{\"SCRIPT\":\"ok\"}" + extra
                + "}";
        return as(SharedServiceTestProfile.ADMIN)
                .multiPart("build", json, "application/json")
                .multiPart("source", "app.tar.gz", ApiTestSupport.sampleTarGz(), "application/gzip")
                .post("/builds");
    }

    @Test
    void loopbackRegistriesAreRefusedNamingTheKey() {
        for (String[] c : new String[][] {
            {"builder", "registry.example/apps/a", "127.0.0.1:5000/builders/b:1", ""},
            {"builder", "registry.example/apps/a", "localhost:5000/builders/b:1", ""},
            {"builder", "registry.example/apps/a", "[::1]:5000/builders/b:1", ""},
            {"builder", "registry.example/apps/a", "0.0.0.0:5000/builders/b:1", ""},
            {"image", "127.0.0.2:5000/apps/a", "registry.example/builders/b:1", ""},
            {"runImage", "registry.example/apps/a", "registry.example/builders/b:1", ",\"runImage\":\"localhost/run:1\""
            },
        }) {
            TreeMap<String, String> before = snapshot();
            submit(c[1], c[2], c[3])
                    .then()
                    .statusCode(400)
                    .contentType(Problem.MEDIA_TYPE)
                    .body("errors[0].field", equalTo(c[0]))
                    .body("errors[0].message", containsString("on locald's own machine (loopback)"))
                    .body("errors[0].message", containsString("locald.registry.allow-loopback=true"));
            assertEquals(before, snapshot(), "nothing is written for a refused request: " + c[2]);
        }
        as(SharedServiceTestProfile.ADMIN)
                .contentType("application/json")
                .body("{\"reference\":\"127.0.0.1:5000/builders/b:1\"}")
                .post("/images")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("reference"))
                .body("errors[0].message", containsString("locald.registry.allow-loopback=true"));
    }

    @Test
    void linkLocalRegistriesAreRefusedToo() {
        submit("registry.example/apps/a", "169.254.169.254/latest/b:1", "")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("builder"))
                .body("errors[0].message", containsString("a link-local address (169.254.0.0/16, fe80::/10)"));
    }

    @Test
    void otherRegistriesAreAccepted() {
        Response accepted = submit("registry.example/apps/a", "registry.example/builders/b:1", "");
        accepted.then().statusCode(202);
        String id = accepted.jsonPath().getString("id");
        for (int i = 0; i < 600 && !ended(id); i++) {
            ApiTestSupport.sleep(50);
        }
        as(SharedServiceTestProfile.ADMIN)
                .get("/builds/" + id)
                .then()
                .statusCode(200)
                .body("state", equalTo("succeeded"))
                .body("owner", equalTo("root"));
    }

    private static boolean ended(String id) {
        String state = as(SharedServiceTestProfile.ADMIN)
                .get("/builds/" + id)
                .jsonPath()
                .getString("state");
        return state.equals("succeeded") || state.equals("failed") || state.equals("cancelled");
    }

    private static TreeMap<String, String> snapshot() {
        return ApiTestSupport.snapshot(SharedServiceTestProfile.DIR.resolve("data"));
    }
}
