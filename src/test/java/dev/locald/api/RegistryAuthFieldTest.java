package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.registry.RegistryCredential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One rule set for {@code registryAuth}, in a build request and in a pull request alike. */
class RegistryAuthFieldTest {

    static final String SOURCE_FREE_BUILD = "{\"image\":\"r.example/app\",\"builder\":\"r.example/builder:1\",";

    @Test
    void aPullAcceptsATokenLikeABuild() {
        ImagePullRequest pull = ImagePullRequest.parse(
                bytes("{\"reference\":\"r.example/builder:1\",\"registryAuth\":{\"token\":\"tok-1\"}}"), true);
        assertEquals(Optional.of(new RegistryCredential.Bearer("tok-1")), pull.credential());
        assertFalse(pull.toString().contains("tok-1"), pull.toString());
        assertEquals(Optional.of(new RegistryCredential.Bearer("tok-1")), build("{\"token\":\"tok-1\"}"));
    }

    @Test
    void basicCredentialsInBoth() {
        RegistryCredential basic = new RegistryCredential.Basic("ci", "pw");
        assertEquals(
                Optional.of(basic),
                ImagePullRequest.parse(
                                bytes(
                                        "{\"reference\":\"r.example/builder:1\",\"registryAuth\":{\"username\":\"ci\",\"password\":\"pw\"}}"),
                                true)
                        .credential());
        assertEquals(Optional.of(basic), build("{\"username\":\"ci\",\"password\":\"pw\"}"));
    }

    @Test
    void theSameProblemsAreRefusedInBoth() {
        for (String auth : new String[] {
            "{\"token\":\"a b\"}",
            "{\"token\":\"t\",\"username\":\"u\"}",
            "{\"username\":\"u\"}",
            "{\"username\":\"a:b\",\"password\":\"p\"}",
            "{\"other\":1,\"token\":\"t\"}",
            "{}",
            "\"token\"",
            "{\"token\":\"\"}"
        }) {
            ProblemException pull = assertThrows(
                    ProblemException.class,
                    () -> ImagePullRequest.parse(
                            bytes("{\"reference\":\"r.example/builder:1\",\"registryAuth\":" + auth + "}"), true),
                    auth);
            ProblemException build = assertThrows(ProblemException.class, () -> build(auth), auth);
            assertFalse(pull.problem().errors().isEmpty(), auth);
            assertEquals(pull.problem().errors(), build.problem().errors(), auth);
        }
    }

    @Test
    void aTokenWithASpaceIsNamedButNotEchoed() {
        ProblemException e = assertThrows(ProblemException.class, () -> build("{\"token\":\"se cret\"}"));
        String shown = e.problem().errors().toString();
        assertTrue(shown.contains("registryAuth.token"), shown);
        assertTrue(shown.contains("must not contain spaces or control characters"), shown);
        assertFalse(shown.contains("se cret"), shown);
    }

    private static Optional<RegistryCredential> build(String auth) {
        BuildRequestParser parser = new BuildRequestParser(
                Duration.ofHours(1),
                false,
                Path.of("/nonexistent-data"),
                true,
                dev.locald.builds.BuildResources.DEFAULT,
                dev.locald.image.NetworkMode.ISOLATED);
        return parser.parse(
                        bytes(SOURCE_FREE_BUILD + "\"registryAuth\":" + auth + "}"), BuildRequestParser.Mode.MULTIPART)
                .request()
                .registryAuth();
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
