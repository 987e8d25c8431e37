package dev.locald.cnb;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.RealCnbRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * Service bindings, SBOM and report (docs/api.md) with the real lifecycle and the pack-made real-CNB builder,
 * through {@code POST /builds} on a real registry and runc. The procfile stand-in buildpack lists the bindings it
 * finds under {@code $SERVICE_BINDING_ROOT} (type and a sha256 per entry) and turns an app file
 * {@code sbom.cdx.json} into its launch SBOM.
 */
@QuarkusTest
@TestProfile(RealBindingsAndSbomBuildTest.Profile.class)
class RealBindingsAndSbomBuildTest {

    static final String DATA_DIR = "target/locald-real-bindings";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("locald.data-dir", DATA_DIR, "locald.builds.max-concurrent", "2");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RealCnbRegistry.class));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROCFILE = "web: echo hello\nworker: echo working\n";
    private static final String PASSWORD = "hunter2-binding-secret";
    private static final String SETTINGS =
            "<settings>\n  <server><password>maven-token-0815</password></server>\n</settings>\n";
    private static final String SBOM = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1,"
            + "\"components\":[{\"type\":\"library\",\"name\":\"left-pad\",\"version\":\"1.3.0\"}]}";

    @Test
    void bindingFilesReachTheBuildpacksAndTheirContentsNeitherTheLogNorTheRecord() throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("image", RealCnbRegistry.registry.hostPort() + "/real/bindings:1");
        request.put("builder", RealCnbRegistry.images.tag("builder-1000"));
        request.put(
                "bindings",
                Map.of(
                        "maven",
                        Map.of(
                                "type",
                                "maven",
                                "provider",
                                "locald-test",
                                "entries",
                                Map.of("settings.xml", SETTINGS, "password", PASSWORD))));
        // five phases (untrusted builder): SERVICE_BINDING_ROOT goes to every one of them
        String location = BuildsApi.submit(
                request,
                LayerTar.create()
                        .file("Procfile", PROCFILE)
                        .file("print-bindings", "yes\n")
                        .toBytes());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("procfile: SERVICE_BINDING_ROOT=/platform/bindings"), log);
        assertTrue(log.contains("procfile: binding maven type=maven provider=locald-test"), log);
        assertTrue(log.contains("procfile: binding maven entry password sha256=" + sha256(PASSWORD)), log);
        assertTrue(log.contains("procfile: binding maven entry settings.xml sha256=" + sha256(SETTINGS)), log);
        // the buildpack printed the contents: the log has the mask in their place
        assertTrue(log.contains("procfile: binding maven entry password content: ***"), log);
        for (String secret : List.of(PASSWORD, "maven-token-0815")) {
            assertFalse(log.contains(secret), log);
            assertFalse(build.toString().contains(secret), build.toString());
            // the records, logs and what is left of the build's work and cache directories
            for (String dir : List.of("builds", "work", "cache")) {
                assertNoFileHolds(Path.of(DATA_DIR, dir), secret);
            }
        }
        // no SBOM was written by this app
        Response sbom = given().get(location + "/sbom");
        assertEquals(404, sbom.statusCode(), sbom.asString());
        assertTrue(sbom.contentType().startsWith("application/problem+json"), sbom.contentType());
        assertTrue(sbom.asString().contains("its buildpacks wrote none"), sbom.asString());
    }

    @Test
    void theSbomAndTheReportAreKeptWithTheRecordAndGoWithIt() throws Exception {
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        RealCnbRegistry.registry.hostPort() + "/real/sbom:1",
                        "builder",
                        RealCnbRegistry.images.tag("builder-1000"),
                        "trustBuilder",
                        true),
                LayerTar.create()
                        .file("Procfile", PROCFILE)
                        .file("sbom.cdx.json", SBOM)
                        .toBytes());
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(5));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertFalse(log.contains("SERVICE_BINDING_ROOT=/platform"), "no bindings, no binding root: " + log);

        Response sbom = given().get(location + "/sbom");
        assertEquals(200, sbom.statusCode(), sbom.asString());
        assertEquals("application/x-tar", sbom.contentType());
        Map<String, String> files = untar(sbom.asByteArray());
        assertEquals(
                SBOM,
                files.get("launch/locald_procfile/sbom.cdx.json"),
                files.keySet().toString());

        Response response = given().get(location + "/report");
        assertEquals(200, response.statusCode(), response.asString());
        JsonNode report = JSON.readTree(response.asString());
        assertEquals(
                build.path("result").path("digest").asText(),
                report.path("digest").asText(),
                report.toString());
        assertTrue(report.path("manifestSize").asLong() > 0, report.toString());
        JsonNode md = report.path("buildMetadata");
        assertTrue(md.path("buildpacks").findValuesAsText("id").contains("locald/procfile"), report.toString());
        assertEquals(List.of("web", "worker"), md.path("processes").findValuesAsText("type"), report.toString());
        assertEquals("web", md.path("defaultProcess").asText(), report.toString());
        assertEquals("0.21.17", md.path("launcher").path("version").asText(), report.toString());
        assertTrue(md.path("runImage").path("image").asText().contains("/real-cnb/run:1000"), report.toString());

        // deleted with the record
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertTrue(Files.isDirectory(Path.of(DATA_DIR, "builds", id, "sbom")));
        given().delete(location).then().statusCode(204);
        assertFalse(Files.exists(Path.of(DATA_DIR, "builds", id)));
        given().get(location + "/report").then().statusCode(404);
    }

    private static void assertNoFileHolds(Path root, String secret) throws Exception {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(
                        content.contains(new String(needle, StandardCharsets.ISO_8859_1)),
                        file + " holds a binding's secret");
            }
        }
    }

    private static Map<String, String> untar(byte[] tar) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.isFile()) {
                    files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
