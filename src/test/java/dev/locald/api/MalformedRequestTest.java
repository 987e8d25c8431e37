package dev.locald.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.testsupport.LayerTar;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed requests: each gets a 4xx problem+json and leaves the data directory exactly as
 * it was (no record, no log, no work dir, no stored upload).
 */
@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class MalformedRequestTest {
    private static final String IMAGE = "\"image\":\"localhost:5000/apps/sample\"";
    private static final String BUILDER = "\"builder\":\"localhost:5000/builders/fixture:1\"";
    /**
     * An empty directory as the source: a request refused here must be refused for what the case names, not
     * for whatever lies in a shared directory such as /tmp (a socket there is refused too, which once hid a case
     * that had become valid).
     */
    private static final String SOURCE = "\"source\":{\"path\":\"" + emptySource() + "\"}";

    private static String emptySource() {
        try {
            return java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "malformed-request-source")
                            .toAbsolutePath())
                    .toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String VALID_UUID = "/builds/3f0c1d2e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";

    static Stream<Arguments> requests() {
        return Stream.of(
                json("not JSON at all", "{\"image\":", 400),
                json("a JSON array", "[1,2]", 400),
                json("empty body", "", 400),
                json("trailing garbage", "{" + IMAGE + "," + BUILDER + "," + SOURCE + "} x", 400),
                json("unknown field", "{" + IMAGE + "," + BUILDER + "," + SOURCE + ",\"colour\":\"red\"}", 400),
                json("duplicate key", "{" + IMAGE + "," + IMAGE + "," + BUILDER + "," + SOURCE + "}", 400),
                json("missing image and builder", "{" + SOURCE + "}", 400),
                json(
                        "upper-case repository",
                        "{\"image\":\"Docker.io/Library/App\"," + BUILDER + "," + SOURCE + "}",
                        400),
                json(
                        "target with a digest",
                        "{\"image\":\"r.io/app@sha256:" + "a".repeat(64) + "\"," + BUILDER + "," + SOURCE + "}",
                        400),
                json("builder with bad port", "{" + IMAGE + ",\"builder\":\"localhost:99999/b\"," + SOURCE + "}", 400),
                json("builder with short digest", "{" + IMAGE + ",\"builder\":\"b@sha256:abc\"," + SOURCE + "}", 400),
                json(
                        "tag starting with a dash",
                        "{" + IMAGE + "," + BUILDER + ",\"tags\":[\"r.io/app:-x\"]," + SOURCE + "}",
                        400),
                json(
                        "defaultProcess with a space",
                        "{" + IMAGE + "," + BUILDER + ",\"defaultProcess\":\"a b\"," + SOURCE + "}",
                        400),
                json(
                        "creationTime not a time",
                        "{" + IMAGE + "," + BUILDER + ",\"creationTime\":\"soon\"," + SOURCE + "}",
                        400),
                json("execEnv empty", "{" + IMAGE + "," + BUILDER + ",\"execEnv\":\"\"," + SOURCE + "}", 400),
                json(
                        "previousImage a number",
                        "{" + IMAGE + "," + BUILDER + ",\"previousImage\":5," + SOURCE + "}",
                        400),
                json(
                        "disableSystemBuildpacks a string",
                        "{" + IMAGE + "," + BUILDER + ",\"disableSystemBuildpacks\":\"yes\"," + SOURCE + "}",
                        400),
                json(
                        "pullPolicy unknown",
                        "{" + IMAGE + "," + BUILDER + ",\"pullPolicy\":\"IfNotPresent\"," + SOURCE + "}",
                        400),
                json("pullPolicy a boolean", "{" + IMAGE + "," + BUILDER + ",\"pullPolicy\":true," + SOURCE + "}", 400),
                json("env name ../x", withEnv("\"../x\":\"1\""), 400),
                json("env name A=B", withEnv("\"A=B\":\"1\""), 400),
                json("env name CNB_X", withEnv("\"CNB_X\":\"1\""), 400),
                json("env name cnb_registry_auth", withEnv("\"cnb_registry_auth\":\"1\""), 400),
                json("env name LD_PRELOAD", withEnv("\"LD_PRELOAD\":\"/x.so\""), 400),
                json("empty env name", withEnv("\"\":\"1\""), 400),
                json("env name too long", withEnv("\"" + "A".repeat(200) + "\":\"1\""), 400),
                json("env value not a string", withEnv("\"A\":1"), 400),
                json(
                        "secretEnv naming an unset variable",
                        "{" + IMAGE + "," + BUILDER + ",\"secretEnv\":[\"X\"]," + SOURCE + "}",
                        400),
                json("bad network", "{" + IMAGE + "," + BUILDER + ",\"network\":\"bridge\"," + SOURCE + "}", 400),
                json("negative timeout", "{" + IMAGE + "," + BUILDER + ",\"timeout\":\"-PT5M\"," + SOURCE + "}", 400),
                json("negative timeout seconds", "{" + IMAGE + "," + BUILDER + ",\"timeout\":-5," + SOURCE + "}", 400),
                json(
                        "timeout above the maximum",
                        "{" + IMAGE + "," + BUILDER + ",\"timeout\":\"PT10H\"," + SOURCE + "}",
                        400),
                json(
                        "timeout not a duration",
                        "{" + IMAGE + "," + BUILDER + ",\"timeout\":\"soon\"," + SOURCE + "}",
                        400),
                json(
                        "trustBuilder not a boolean",
                        "{" + IMAGE + "," + BUILDER + ",\"trustBuilder\":\"yes\"," + SOURCE + "}",
                        400),
                json(
                        "registryAuth with token and password",
                        "{" + IMAGE + "," + BUILDER
                                + ",\"registryAuth\":{\"username\":\"u\",\"password\":\"p\",\"token\":\"t\"}," + SOURCE
                                + "}",
                        400),
                json(
                        "buildpack id with traversal",
                        "{" + IMAGE + "," + BUILDER + ",\"buildpacks\":[\"../../evil\"]," + SOURCE + "}",
                        400),
                json(
                        "malformed docker:// buildpack",
                        "{" + IMAGE + "," + BUILDER + ",\"buildpacks\":[\"docker://R B/bp:1\"]," + SOURCE + "}",
                        400),
                json(
                        "urn:cnb:registry: buildpack naming no <namespace>/<name>",
                        "{" + IMAGE + "," + BUILDER + ",\"buildpacks\":[\"urn:cnb:registry:a/b/c@1\"]," + SOURCE + "}",
                        400),
                json(
                        "tag on another registry",
                        "{" + IMAGE + "," + BUILDER + ",\"tags\":[\"r.io/apps/sample:v2\"]," + SOURCE + "}",
                        400),
                named(
                        "multipart tag on another registry",
                        () -> multipart("{" + IMAGE + "," + BUILDER + ",\"tags\":[\"r.io/apps/sample:v2\"]}", tar()),
                        400),
                json("relative source path", "{" + IMAGE + "," + BUILDER + ",\"source\":{\"path\":\"app\"}}", 400),
                json(
                        "source path with ..",
                        "{" + IMAGE + "," + BUILDER + ",\"source\":{\"path\":\"/tmp/../etc\"}}",
                        400),
                json("no source", "{" + IMAGE + "," + BUILDER + "}", 400),
                json("request JSON above max-request-bytes", withEnv("\"BIG\":\"" + "x".repeat(70_000) + "\""), 413),
                named(
                        "wrong content type",
                        () -> given().contentType("text/plain").body("hello").post("/builds"),
                        415),
                named("no content type", () -> given().body(new byte[] {1, 2}).post("/builds"), 415),
                named("source with wrong magic", () -> multipart(valid(), "hello, not an archive".getBytes()), 400),
                named("gzip that is not a tar", () -> multipart(valid(), gzip("just text".getBytes())), 400),
                named("empty source", () -> multipart(valid(), new byte[0]), 400),
                named("source above max-source-bytes", () -> multipart(valid(), bigTar(1_200_000)), 413),
                // a declared Content-Length above quarkus.http.limits.max-body-size is refused before reading
                named(
                        "body above the HTTP limit",
                        () -> given().contentType("multipart/form-data; boundary=b")
                                .body(bigTar(2_300_000))
                                .post("/builds"),
                        413),
                named(
                        "missing source part",
                        () -> given().multiPart("build", valid(), "application/json")
                                .post("/builds"),
                        400),
                named(
                        "missing build part",
                        () -> given().multiPart("source", "a.tar", tar(), "application/x-tar")
                                .post("/builds"),
                        400),
                named(
                        "multipart build naming a source path",
                        () -> multipart("{" + IMAGE + "," + BUILDER + "," + SOURCE + "}", tar()),
                        400),
                named("multipart build with bad JSON", () -> multipart("{nope", tar()), 400),
                named(
                        "multipart build with hostile env",
                        () -> multipart(
                                "{" + IMAGE + "," + BUILDER + ",\"env\":{\"../../cnb/lifecycle/builder\":\"x\"}}",
                                tar()),
                        400),
                named(
                        "traversal in path",
                        () -> given().urlEncodingEnabled(false).get("/builds/..%2F..%2Fetc"),
                        404),
                named(
                        "traversal in delete",
                        () -> given().urlEncodingEnabled(false).delete("/builds/..%2F..%2Fetc%2Fpasswd"),
                        404),
                named(
                        "traversal in cancel",
                        () -> given().urlEncodingEnabled(false).post("/builds/..%2Fwork/cancel"),
                        404),
                named(
                        "traversal in logs",
                        () -> given().urlEncodingEnabled(false).get("/builds/%2e%2e/logs"),
                        404),
                named("id that is not a uuid", () -> given().get("/builds/not-a-build"), 404),
                named("unknown build", () -> given().get(VALID_UUID), 404),
                named("cancel unknown build", () -> given().post(VALID_UUID + "/cancel"), 404),
                named("delete unknown build", () -> given().delete(VALID_UUID), 404),
                named("unknown path", () -> given().get("/nothing-here"), 404),
                named(
                        "method not allowed",
                        () -> given().contentType("application/json").body("{}").put("/builds"),
                        405),
                named(
                        "two build parts",
                        () -> given().multiPart("build", valid(), "application/json")
                                .multiPart("build", valid(), "application/json")
                                .multiPart("source", "app.tar", tar(), "application/x-tar")
                                .post("/builds"),
                        400),
                named(
                        "two source parts",
                        () -> given().multiPart("build", valid(), "application/json")
                                .multiPart("source", "a.tar", tar(), "application/x-tar")
                                .multiPart("source", "b.tar", tar(), "application/x-tar")
                                .post("/builds"),
                        400),
                named(
                        "image pull without content type",
                        () -> given().body(new byte[] {1, 2}).post("/images"),
                        415),
                named(
                        "image pull as text",
                        () -> given().contentType("text/plain").body("x").post("/images"),
                        415),
                json(
                        "builder on a short IPv4 host",
                        "{" + IMAGE + ",\"builder\":\"127.1:5000/b:1\"," + SOURCE + "}",
                        400),
                json(
                        "builder on a decimal IPv4 host",
                        "{" + IMAGE + ",\"builder\":\"2130706433:5000/b:1\"," + SOURCE + "}",
                        400),
                json(
                        "builder on an IPv4-mapped IPv6 host",
                        "{" + IMAGE + ",\"builder\":\"[::ffff:127.0.0.1]:5000/b:1\"," + SOURCE + "}",
                        400),
                json(
                        "builder on a malformed IPv6 host",
                        "{" + IMAGE + ",\"builder\":\"[1.2.3.4]:5000/b:1\"," + SOURCE + "}",
                        400),
                named(
                        "image pull of a short IPv4 host",
                        () -> given().contentType("application/json")
                                .body("{\"reference\":\"127.1:5000/b:1\"}")
                                .post("/images"),
                        400),
                named("source with an absolute path", () -> multipart(valid(), verbatimName("/etc/evil")), 400),
                named("source with ..", () -> multipart(valid(), verbatimName("../../evil")), 400),
                named(
                        "source with a symlink pointing out",
                        () -> multipart(
                                valid(),
                                LayerTar.create().symlink("out", "../../etc").toBytes()),
                        400),
                named(
                        "source with an absolute symlink",
                        () -> multipart(
                                valid(),
                                LayerTar.create()
                                        .symlink("passwd", "/etc/passwd")
                                        .toBytes()),
                        400),
                named(
                        "source with a hardlink out",
                        () -> multipart(
                                valid(),
                                LayerTar.create()
                                        .hardlink("h", "../../etc/passwd")
                                        .toBytes()),
                        400),
                named(
                        "source with a device node",
                        () -> multipart(
                                valid(),
                                LayerTar.create().charDevice("dev/mem", 1, 1).toBytes()),
                        400),
                named(
                        "tar.gz source with a symlink pointing out",
                        () -> multipart(
                                valid(),
                                gzip(LayerTar.create()
                                        .file("ok.txt", "x")
                                        .symlink("a/out", "../../x")
                                        .toBytes())),
                        400),
                // found by scripts/api-fuzz.sh: a part without headers was an internal error
                named(
                        "multipart part without headers",
                        () -> given().contentType("multipart/form-data; boundary=b")
                                .body("--b\r\n[]--b--\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                                .post("/builds"),
                        400),
                named(
                        "multipart body without its closing boundary",
                        () -> given().contentType("multipart/form-data; boundary=b")
                                .body("--b\r\nContent-Disposition: form-data; name=\"build\"\r\n\r\n{}"
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                                .post("/builds"),
                        400),
                named("list with limit 0", () -> given().get("/builds?limit=0"), 400),
                named("list with bogus state", () -> given().get("/builds?state=bogus"), 400),
                named("list with offset not a number", () -> given().get("/builds?offset=x"), 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void isRefusedWithAProblemAndWritesNothing(Supplier<Response> request, int status) {
        TreeMap<String, String> before = ApiTestSupport.snapshot();
        Response response = request.get();
        response.then()
                .statusCode(status)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("status", equalTo(status))
                .body("title", notNullValue())
                .body("type", startsWith("urn:locald:problem:"))
                .body("detail", notNullValue());
        if (status == 400 && response.jsonPath().getList("errors") != null) {
            response.then().body("errors[0].field", notNullValue()).body("errors[0].message", notNullValue());
        }
        assertEquals(before, ApiTestSupport.snapshot(), "the data directory changed");
    }

    /** The problem names the offending field or part, not just "invalid". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("namedFields")
    void namesTheField(Supplier<Response> request, String field, String message) {
        request.get()
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo(field))
                .body("errors[0].message", org.hamcrest.Matchers.containsString(message));
    }

    static Stream<Arguments> namedFields() {
        return Stream.of(
                Arguments.of(
                        Named.of("two build parts", (Supplier<Response>)
                                () -> given().multiPart("build", valid(), "application/json")
                                        .multiPart("build", valid(), "application/json")
                                        .multiPart("source", "app.tar", tar(), "application/x-tar")
                                        .post("/builds")),
                        "build",
                        "the multipart part 'build' appears 2 times"),
                Arguments.of(
                        Named.of("two source parts", (Supplier<Response>)
                                () -> given().multiPart("build", valid(), "application/json")
                                        .multiPart("source", "a.tar", tar(), "application/x-tar")
                                        .multiPart("source", "b.tar", tar(), "application/x-tar")
                                        .post("/builds")),
                        "source",
                        "the multipart part 'source' appears 2 times"),
                Arguments.of(
                        Named.of("short IPv4 builder host", (Supplier<Response>)
                                () -> given().contentType("application/json")
                                        .body("{" + IMAGE + ",\"builder\":\"127.1:5000/b:1\"," + SOURCE + "}")
                                        .post("/builds")),
                        "builder",
                        "not an IPv4 address in dotted-quad form"),
                linkLocal("link-local builder", "builder", "{" + IMAGE + ",\"builder\":\"169.254.169.254/b:1\"}"),
                linkLocal(
                        "link-local builder on IPv6 with a port",
                        "builder",
                        "{" + IMAGE + ",\"builder\":\"[fe80::1]:5000/b:1\"}"),
                linkLocal(
                        "link-local run image",
                        "runImage",
                        "{" + IMAGE + "," + BUILDER + ",\"runImage\":\"169.254.0.1:5000/run:1\"}"),
                linkLocal(
                        "link-local previous image",
                        "previousImage",
                        "{" + IMAGE + "," + BUILDER + ",\"previousImage\":\"169.254.169.254/apps/x:1\"}"),
                linkLocal("link-local target", "image", "{\"image\":\"169.254.169.254:80/apps/x\"," + BUILDER + "}"),
                linkLocal(
                        "link-local tag",
                        "tags[0]",
                        "{" + IMAGE + "," + BUILDER + ",\"tags\":[\"[FE80:0:0:0:0:0:0:1]/apps/x:2\"]}"),
                Arguments.of(
                        Named.of("link-local image to pull", (Supplier<Response>)
                                () -> given().contentType("application/json")
                                        .body("{\"reference\":\"[fe80::a9fe:a9fe]:5000/b:1\"}")
                                        .post("/images")),
                        "reference",
                        "a link-local address (169.254.0.0/16, fe80::/10)"),
                Arguments.of(
                        Named.of("symlink pointing out", (Supplier<Response>) () -> multipart(
                                valid(),
                                LayerTar.create().symlink("out", "../../etc").toBytes())),
                        "source",
                        "was refused: symlink 'out' -> '../../etc' points outside the workspace"));
    }

    /** A build refused at submission because a reference names a link-local registry (docs/security.md). */
    private static Arguments linkLocal(String name, String field, String build) {
        return Arguments.of(
                Named.of(name, (Supplier<Response>) () -> multipart(build, tar())),
                field,
                "a link-local address (169.254.0.0/16, fe80::/10): locald never contacts link-local registries");
    }

    private static String withEnv(String envMembers) {
        return "{" + IMAGE + "," + BUILDER + ",\"env\":{" + envMembers + "}," + SOURCE + "}";
    }

    private static String valid() {
        return "{" + IMAGE + "," + BUILDER + "}";
    }

    private static Arguments json(String name, String body, int status) {
        return named(
                name, () -> given().contentType("application/json").body(body).post("/builds"), status);
    }

    private static Arguments named(String name, Supplier<Response> request, int status) {
        return Arguments.of(Named.of(name, request), status);
    }

    private static Response multipart(String build, byte[] source) {
        return given().multiPart("build", build, "application/json")
                .multiPart("source", "app.tar.gz", source, "application/octet-stream")
                .post("/builds");
    }

    /** A tar with one file whose name is written as given (LayerTar, like tar, strips a leading '/'). */
    private static byte[] verbatimName(String name) {
        return LayerTar.create()
                .raw(out -> {
                    try {
                        TarArchiveEntry e = new TarArchiveEntry(name, true);
                        e.setSize(1);
                        out.putArchiveEntry(e);
                        out.write('x');
                        out.closeArchiveEntry();
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                })
                .toBytes();
    }

    private static byte[] tar() {
        return LayerTar.create().file("index.txt", "hi").toBytes();
    }

    private static byte[] bigTar(int bytes) {
        byte[] content = new byte[bytes];
        new Random(1).nextBytes(content);
        return LayerTar.create().file("blob.bin", content, 0644, 0, 0).toBytes();
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
