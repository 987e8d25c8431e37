package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code buildpacks} and {@code tags} a build could not honour are refused at submission, naming the
 * field and the value, instead of failing the build later.
 */
class BuildpacksAndTagsRequestTest {

    private static final BuildRequestParser PARSER = new BuildRequestParser(
            Duration.ofHours(1),
            false,
            Path.of("target/no-data-dir"),
            true,
            dev.locald.builds.BuildResources.DEFAULT,
            dev.locald.image.NetworkMode.ISOLATED);

    private static final String HEX = "a".repeat(64);

    private static BuildRequestParser.Parsed parse(String members) {
        String json = "{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/b:1\"" + members + "}";
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART);
    }

    private static FieldError refused(String members) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(members));
        assertEquals(400, e.problem().status());
        assertEquals(1, e.problem().errors().size(), e.problem().errors().toString());
        return e.problem().errors().get(0);
    }

    @Test
    void builderUrnsAndIdsAreAccepted() {
        assertEquals(
                List.of("urn:cnb:builder:fixture/hello@1.0.0", "urn:cnb:builder:a/b", "c/d@2"),
                parse(",\"buildpacks\":[\"urn:cnb:builder:fixture/hello@1.0.0\",\"urn:cnb:builder:a/b\",\"c/d@2\"]")
                        .request()
                        .buildpacks());
    }

    @Test
    void buildpackImagesAreAcceptedBesideIds() {
        assertEquals(
                List.of("a/b", "docker://gcr.io/paketo-buildpacks/node:1", "docker://localhost:5000/bp@sha256:" + HEX),
                parse(",\"buildpacks\":[\"a/b\",\"docker://gcr.io/paketo-buildpacks/node:1\","
                                + "\"docker://localhost:5000/bp@sha256:" + HEX + "\"]")
                        .request()
                        .buildpacks());
    }

    @Test
    void malformedBuildpackImagesAreRefusedNamingFieldAndValue() {
        FieldError error = refused(",\"buildpacks\":[\"a/b\",\"docker://Not A Reference\"]");
        assertEquals("buildpacks[1]", error.field());
        assertTrue(
                error.message().startsWith("'docker://Not A Reference' is not a valid buildpack image: "),
                error.message());
        assertEquals("buildpacks[0]", refused(",\"buildpacks\":[\"docker://\"]").field());
        assertTrue(refused(",\"buildpacks\":[\"docker://169.254.169.254/bp:1\"]")
                .message()
                .contains("link-local"));
    }

    @Test
    void registryBuildpacksAreKeptForTheBuildToResolve() {
        assertEquals(
                List.of("urn:cnb:registry:paketo-buildpacks/node@1.0.0", "urn:cnb:registry:example.org/my-bp"),
                parse(",\"buildpacks\":[\"urn:cnb:registry:paketo-buildpacks/node@1.0.0\","
                                + "\"urn:cnb:registry:example.org/my-bp\"]")
                        .request()
                        .buildpacks());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            urn:cnb:registry:                  | it must name <namespace>/<name>, with exactly one '/'
            urn:cnb:registry:/node             | its namespace '' is not 1–253 of a-z, 0-9, '-' and '.'
            urn:cnb:registry:paketo/           | its name '' is not 1–253 of a-z, 0-9, '-' and '.'
            urn:cnb:registry:Paketo/node       | its namespace 'Paketo' is not 1–253 of a-z, 0-9, '-' and '.'
            urn:cnb:registry:a/b/c             | it must name <namespace>/<name>, with exactly one '/'
            urn:cnb:registry:a/b@1.0 0         | its version '1.0 0' is not 1–128 of A-Za-z0-9 . + _ - starting with a letter or digit
            urn:cnb:registry:a/b@              | its version '' is not 1–128 of A-Za-z0-9 . + _ - starting with a letter or digit
            urn:cnb:registry:a/b@1@2           | it has more than one '@'
            """)
    void malformedRegistryBuildpacksAreRefusedNamingFieldAndValue(String value, String why) {
        FieldError error = refused(",\"buildpacks\":[\"a/b\",\"" + value + "\"]");
        assertEquals("buildpacks[1]", error.field());
        assertEquals(
                "'" + value + "' is not a valid buildpack registry reference"
                        + " (urn:cnb:registry:<namespace>/<name>[@<version>]): " + why,
                error.message());
    }

    @Test
    void otherUrnsAreNotBuildpackIds() {
        FieldError error = refused(",\"buildpacks\":[\"urn:cnb:other:x\"]");
        assertEquals("buildpacks[0]", error.field());
        assertEquals(
                "'urn:cnb:other:x' is not a buildpack id: name a buildpack the builder contains "
                        + "(id[@version] or urn:cnb:builder:id[@version]), a buildpack image (docker://<image>) or a "
                        + "buildpack of the buildpack registry (urn:cnb:registry:<namespace>/<name>[@<version>])",
                error.message());
    }

    @Test
    void tagsOnAnotherRegistryAreRefused() {
        FieldError error = refused(",\"tags\":[\"localhost:5000/apps/sample:v2\",\"registry.example/apps/sample:v2\"]");
        assertEquals("tags[1]", error.field());
        assertEquals(
                "'registry.example/apps/sample:v2' is on registry registry.example, but the image is on "
                        + "localhost:5000; every tag must be on the image's registry",
                error.message());
    }

    @Test
    void tagsOnTheImagesRegistryAreAcceptedWhateverTheSpelling() {
        assertEquals(
                List.of("LOCALHOST:5000/apps/sample:v2"),
                parse(",\"tags\":[\"LOCALHOST:5000/apps/sample:v2\"]").request().tags().stream()
                        .map(Object::toString)
                        .toList());
        String json = "{\"image\":\"app\",\"builder\":\"b\",\"tags\":[\"docker.io/library/app:v2\","
                + "\"index.docker.io/library/app:v3\"]}";
        assertEquals(
                2,
                PARSER.parse(json.getBytes(StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART)
                        .request()
                        .tags()
                        .size());
    }
}
