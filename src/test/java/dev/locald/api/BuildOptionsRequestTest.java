package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.builds.BuildOptions;
import dev.locald.builds.BuildResources;
import dev.locald.config.ByteSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The pack-style options of a request ({@code defaultProcess}, {@code creationTime}, {@code previousImage},
 * {@code execEnv}, {@code disableSystemBuildpacks}): kept as asked when well-formed, else a 400 naming the field.
 */
class BuildOptionsRequestTest {

    private static final BuildResources CONFIGURED =
            new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G"));
    private static final BuildRequestParser PARSER = new BuildRequestParser(
            Duration.ofHours(1),
            false,
            Path.of("target/no-data-dir"),
            true,
            CONFIGURED,
            dev.locald.image.NetworkMode.ISOLATED);
    private static final BuildRequestParser NO_LOOPBACK = new BuildRequestParser(
            Duration.ofHours(1),
            false,
            Path.of("target/no-data-dir"),
            false,
            CONFIGURED,
            dev.locald.image.NetworkMode.ISOLATED);

    private static BuildOptions parse(BuildRequestParser parser, String fields) {
        String json =
                "{\"image\":\"registry.example/apps/sample\",\"builder\":\"registry.example/b:1\"," + fields + "}";
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART)
                .request()
                .options();
    }

    private static FieldError refused(BuildRequestParser parser, String fields) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(parser, fields));
        assertEquals(400, e.problem().status());
        assertEquals(1, e.problem().errors().size(), e.problem().errors().toString());
        return e.problem().errors().get(0);
    }

    @Test
    void wellFormedOptionsAreKept() {
        assertEquals(
                new BuildOptions("worker", "1714564800", "registry.example/apps/sample:previous", "test", true, false),
                parse(
                        PARSER,
                        "\"defaultProcess\":\"worker\",\"creationTime\":\"2024-05-01T12:00:00Z\","
                                + "\"previousImage\":\"registry.example/apps/sample:previous\",\"execEnv\":\"test\","
                                + "\"disableSystemBuildpacks\":true"));
        assertEquals(BuildOptions.NONE, parse(PARSER, "\"execEnv\":null,\"disableSystemBuildpacks\":false"));
        assertEquals("now", parse(PARSER, "\"creationTime\":\"now\"").creationTime());
        assertEquals("1714564800", parse(PARSER, "\"creationTime\":1714564800").creationTime());
        assertEquals(
                "1714564800", parse(PARSER, "\"creationTime\":\"1714564800\"").creationTime());
        assertEquals(
                "1714564800",
                parse(PARSER, "\"creationTime\":\"2024-05-01T14:00:00+02:00\"").creationTime());
        assertEquals("0", parse(PARSER, "\"creationTime\":0").creationTime());
        assertEquals("production", parse(PARSER, "\"execEnv\":\"production\"").execEnv());
        assertEquals("my.env-2_b", parse(PARSER, "\"execEnv\":\"my.env-2_b\"").execEnv());
        assertEquals(
                "localhost:5000/apps/old:1",
                parse(PARSER, "\"previousImage\":\"localhost:5000/apps/old:1\"").previousImage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "\"defaultProcess\":7 | defaultProcess | must be a string (a process type)",
                "\"defaultProcess\":\"\" | defaultProcess | is not a process type",
                "\"defaultProcess\":\"web worker\" | defaultProcess | is not a process type",
                "\"defaultProcess\":\"../etc\" | defaultProcess | is not a process type",
                "\"defaultProcess\":\"..\" | defaultProcess | is not a process type",
                "\"creationTime\":\"yesterday\" | creationTime | is not \"now\", epoch seconds or an RFC 3339 time",
                "\"creationTime\":\"2024-05-01\" | creationTime | is not \"now\", epoch seconds or an RFC 3339 time",
                "\"creationTime\":\"2024-05-01T12:00:00\" | creationTime | is not \"now\", epoch seconds or an RFC 3339",
                "\"creationTime\":-5 | creationTime | must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
                "\"creationTime\":1.5 | creationTime | must be \"now\", epoch seconds or an RFC 3339 time",
                "\"creationTime\":true | creationTime | must be \"now\", epoch seconds or an RFC 3339 time",
                "\"creationTime\":\"NOW\" | creationTime | is not \"now\"",
                "\"previousImage\":\"Not A Reference\" | previousImage | 'Not A Reference' ",
                "\"previousImage\":[] | previousImage | must be a string (an image reference)",
                "\"execEnv\":\"prod env\" | execEnv | is not an execution environment",
                "\"execEnv\":\"\" | execEnv | is not an execution environment",
                "\"execEnv\":\"test;rm\" | execEnv | is not an execution environment",
                "\"execEnv\":{} | execEnv | must be a string (an execution environment",
                "\"disableSystemBuildpacks\":\"yes\" | disableSystemBuildpacks | must be true or false",
                "\"disableSystemBuildpacks\":1 | disableSystemBuildpacks | must be true or false",
            })
    void malformedValuesAreRefusedNamingTheField(String fields, String field, String message) {
        FieldError error = refused(PARSER, fields);
        assertEquals(field, error.field(), error.toString());
        assertTrue(error.message().contains(message.strip()), error.toString());
    }

    @Test
    void previousImageFollowsTheRegistryRulesOfTheOtherReferences() {
        FieldError error = refused(NO_LOOPBACK, "\"previousImage\":\"127.0.0.1:5000/apps/old:1\"");
        assertEquals("previousImage", error.field());
        // the same sentence runImage gets for a loopback registry
        FieldError runImage = refused(NO_LOOPBACK, "\"runImage\":\"127.0.0.1:5000/apps/old:1\"");
        assertEquals(
                runImage.message().replace("runImage", "previousImage"),
                error.message().replace("runImage", "previousImage"));
    }

    @Test
    void everyProblemIsListedInOne400() {
        ProblemException e = assertThrows(
                ProblemException.class,
                () -> parse(
                        PARSER,
                        "\"defaultProcess\":\"a b\",\"creationTime\":\"x\",\"execEnv\":\"\","
                                + "\"disableSystemBuildpacks\":\"no\",\"previousImage\":5"));
        assertEquals(5, e.problem().errors().size(), e.problem().errors().toString());
    }
}
