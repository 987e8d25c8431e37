package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResources;
import dev.locald.config.ByteSize;
import dev.locald.image.PullPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A request's {@code pullPolicy}: one of three names, kept on the request and its record, else a 400 naming it. */
class PullPolicyRequestTest {

    private static final BuildRequestParser PARSER = new BuildRequestParser(
            Duration.ofHours(1),
            false,
            Path.of("target/no-data-dir"),
            true,
            new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G")),
            dev.locald.image.NetworkMode.ISOLATED);

    private static BuildRequest parse(String fields) {
        String json = "{\"image\":\"registry.example/apps/sample\",\"builder\":\"registry.example/b:1\"" + fields + "}";
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART)
                .request();
    }

    @Test
    void eachPolicyIsKeptOnTheRequestAndItsRecord() {
        assertEquals(PullPolicy.IF_NOT_PRESENT, parse("").pullPolicy());
        assertEquals(PullPolicy.IF_NOT_PRESENT, parse(",\"pullPolicy\":null").pullPolicy());
        for (PullPolicy policy : PullPolicy.values()) {
            BuildRequest request = parse(",\"pullPolicy\":\"" + policy.wireName() + "\"");
            assertEquals(policy, request.pullPolicy());
            assertEquals(policy, request.spec(null).pullPolicy());
            assertEquals(
                    policy,
                    request.scopedTo(java.util.List.of("registry.example/")).pullPolicy());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"Always\"",
                "\"ifNotPresent\"",
                "\"IfNotPresent\"",
                "\"if_not_present\"",
                "\"missing\"",
                "\"\"",
                "\" never\"",
                "true",
                "1",
                "[\"always\"]",
                "{}"
            })
    void otherValuesAreRefusedNamingTheField(String value) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(",\"pullPolicy\":" + value));
        assertEquals(400, e.problem().status());
        assertEquals(1, e.problem().errors().size(), e.problem().errors().toString());
        FieldError error = e.problem().errors().get(0);
        assertEquals("pullPolicy", error.field());
        assertEquals("must be \"always\", \"if-not-present\" or \"never\"", error.message());
    }
}
