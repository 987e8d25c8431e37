package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuilderMetadataTest {

    static final String PAKETO_LIKE = """
            {"description":"Ubuntu jammy base image with buildpacks",
             "buildpacks":[{"id":"paketo-buildpacks/nodejs","version":"1.2.3","homepage":"https://x"},
                           {"id":"paketo-buildpacks/procfile","version":"5.13.4"},
                           {"id":"paketo-buildpacks/procfile","version":"5.13.5"}],
             "stack":{"runImage":{"image":"index.docker.io/paketobuildpacks/run-jammy-base:latest","mirrors":[]}},
             "images":[{"image":"index.docker.io/paketobuildpacks/run-jammy-base:latest","mirrors":["gcr.io/paketo/run:latest"]}],
             "lifecycle":{"version":"0.21.13","api":{"buildpack":"0.7","platform":"0.7"},
                          "apis":{"buildpack":{"deprecated":[],"supported":["0.7","0.12"]},
                                  "platform":{"deprecated":["0.6"],"supported":["0.7","0.8","0.9","0.10","0.11","0.12","0.13","0.14","0.15"]}}},
             "createdBy":{"name":"Pack CLI","version":"0.36.0"}}
            """;

    @Test
    void readsTheFieldsPackWrites() {
        BuilderMetadata m = BuilderMetadata.fromLabels("paketo", Map.of(BuilderMetadata.LABEL, PAKETO_LIKE));
        assertEquals(Optional.of("0.21.13"), m.lifecycleVersion());
        assertEquals(9, m.supportedApis().size());
        assertEquals(List.of(PlatformApi.parse("0.6")), m.deprecatedApis());
        assertEquals(Optional.of(PlatformApi.parse("0.7")), m.legacyApi());
        assertEquals("[paketo-buildpacks/nodejs@1.2.3, paketo-buildpacks/procfile@5.13.4, paketo-buildpacks/procfile@5.13.5]",
                m.buildpacks().toString());
        // images[] first, then the legacy stack.runImage, as pack's RunImages() returns them
        assertEquals(2, m.runImages().size());
        assertEquals(List.of("gcr.io/paketo/run:latest"), m.runImages().get(0).mirrors());
        assertEquals("index.docker.io/paketobuildpacks/run-jammy-base:latest", m.runImages().get(1).image());
    }

    @Test
    void missingLabelSaysItIsNotABuilder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BuilderMetadata.fromLabels("busybox:latest", Map.of("other", "x")));
        assertEquals("builder busybox:latest has no io.buildpacks.builder.metadata label, so it is not a Cloud Native Buildpacks builder",
                e.getMessage());
    }

    @Test
    void invalidJsonAndBadVersionsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuilderMetadata.parse("b", "{not json"))
                .getMessage().contains("is not valid JSON"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuilderMetadata.parse("b", "[1]"))
                .getMessage().contains("not a JSON object"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BuilderMetadata.parse("b",
                "{\"lifecycle\":{\"apis\":{\"platform\":{\"supported\":[\"0.x\"]}}}}"));
        assertTrue(e.getMessage().contains("lifecycle.apis.platform.supported"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuilderMetadata.parse("b",
                "{\"lifecycle\":{\"apis\":{\"platform\":{\"supported\":\"0.12\"}}}}")).getMessage().contains("is not a list"));
    }

    @Test
    void minimalLabelGivesEmptyLists() {
        BuilderMetadata m = BuilderMetadata.parse("b", "{}");
        assertTrue(m.supportedApis().isEmpty());
        assertTrue(m.buildpacks().isEmpty());
        assertTrue(m.runImages().isEmpty());
        assertTrue(m.legacyApi().isEmpty());
    }
}
