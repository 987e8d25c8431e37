package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.testsupport.OpsTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * /q/openapi must describe every resource method of the API: the resources are found by reflection over
 * the compiled {@code dev.locald.api} classes, so a new endpoint without a place in the document fails here.
 */
@QuarkusTest
@TestProfile(OpsTestProfile.class)
class OpenApiDocumentTest {

    @Test
    void everyResourceMethodIsInTheDocument() throws Exception {
        JsonNode doc = new ObjectMapper()
                .readTree(given().queryParam("format", "json")
                        .get("/q/openapi")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString());
        JsonNode paths = doc.path("paths");
        TreeSet<String> expected = resourceOperations();
        assertTrue(
                expected.containsAll(List.of(
                        "GET /builds",
                        "POST /builds",
                        "GET /builds/{id}",
                        "GET /builds/{id}/logs",
                        "POST /builds/{id}/cancel",
                        "DELETE /builds/{id}")),
                expected.toString());
        List<String> missing = new ArrayList<>();
        for (String op : expected) {
            String[] parts = op.split(" ", 2);
            JsonNode operation = paths.path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT));
            if (operation.isMissingNode() || operation.path("responses").isEmpty()) {
                missing.add(op);
            }
        }
        assertEquals(List.of(), missing, "operations missing from /q/openapi (or without responses)");
    }

    @Test
    void theBuildEndpointsCarryExamples() throws Exception {
        JsonNode doc = new ObjectMapper()
                .readTree(given().queryParam("format", "json")
                        .get("/q/openapi")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString());
        JsonNode get = doc.path("paths").path("/builds/{id}").path("get");
        JsonNode example = get.path("responses")
                .path("200")
                .path("content")
                .path("application/json")
                .path("examples")
                .path("succeeded")
                .path("value");
        assertTrue(example.toString().contains("succeeded"), get.toString());
        JsonNode post = doc.path("paths").path("/builds").path("post");
        assertTrue(post.path("responses").has("429"), post.toString());
        assertTrue(post.path("responses").path("202").path("content").toString().contains("queued"), post.toString());
        assertTrue(
                doc.path("info").path("title").asText().contains("locald"),
                doc.path("info").toString());
        given().get("/q/swagger-ui/").then().statusCode(200);
        // sizes are strings in the API ("2 GiB"), and the request example shows the resources field
        assertEquals(
                "string",
                doc.path("components")
                        .path("schemas")
                        .path("ByteSize")
                        .path("type")
                        .asText(),
                doc.path("components").toString());
        assertTrue(
                post.path("requestBody").toString().contains("resources"),
                post.path("requestBody").toString());
        // and the pack-style build options
        for (String option : new String[] {"defaultProcess", "creationTime", "execEnv"}) {
            assertTrue(
                    post.path("requestBody").toString().contains(option),
                    post.path("requestBody").toString());
        }
        // a rebase is submitted to the same endpoint, and every build view says its kind
        assertTrue(
                post.path("requestBody").toString().contains("rebase")
                        && post.path("requestBody").toString().contains("force"),
                post.path("requestBody").toString());
        assertTrue(example.toString().contains("kind"), example.toString());
    }

    /** "METHOD /path" for every JAX-RS resource method in dev.locald.api. */
    private static TreeSet<String> resourceOperations() throws Exception {
        TreeSet<String> ops = new TreeSet<>();
        java.nio.file.Path classes = java.nio.file.Path.of("target/classes/dev/locald/api");
        try (Stream<java.nio.file.Path> files = Files.list(classes)) {
            for (java.nio.file.Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> type = Class.forName("dev.locald.api." + name.substring(0, name.length() - 6));
                Path root = type.getAnnotation(Path.class);
                if (root == null) {
                    continue;
                }
                for (Method method : type.getDeclaredMethods()) {
                    String verb = httpMethod(method);
                    if (verb != null) {
                        Path sub = method.getAnnotation(Path.class);
                        ops.add(verb + " " + join(root.value(), sub == null ? "" : sub.value()));
                    }
                }
            }
        }
        return ops;
    }

    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
