package dev.locald.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuilderMetadataTest {

    static final String PACK_LABEL = """
            {"description":"test builder",
             "buildpacks":[{"id":"paketo-buildpacks/java","version":"1.2.3","homepage":"https://x"},
                           {"id":"fixture/hello","version":"0.0.1"}],
             "stack":{"runImage":{"image":"legacy/run:1","mirrors":["mirror.example/legacy/run:1"]}},
             "images":[{"image":"127.0.0.1:5000/run:1","mirrors":["other.example/run:1"]}],
             "lifecycle":{"version":"0.21.13","api":{"buildpack":"0.7","platform":"0.7"},
                          "apis":{"buildpack":{"deprecated":[],"supported":["0.7","0.12"]},
                                  "platform":{"deprecated":["0.6"],"supported":["0.7","0.14","0.15"]}}},
             "createdBy":{"name":"Pack CLI","version":"0.36"}}""";

    static ImageConfig config(Map<String, String> labels, String... env) {
        return new ImageConfig(
                List.of(env), "1000:1000", "/layers", List.of(), List.of(), labels, List.of(), "linux", "amd64");
    }

    static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsPacksBuilderLabel() {
        BuilderMetadata m = BuilderMetadata.from(config(
                labels(BuilderMetadata.LABEL, PACK_LABEL, BuilderMetadata.STACK_ID_LABEL, "io.buildpacks.stacks.jammy"),
                "CNB_USER_ID=1000",
                "CNB_GROUP_ID=1001"));
        assertEquals("0.21.13", m.lifecycleVersion());
        assertEquals(List.of("0.7", "0.14", "0.15"), m.apis().platformSupported());
        assertEquals(List.of("0.6"), m.apis().platformDeprecated());
        assertEquals(List.of("0.7", "0.12"), m.apis().buildpackSupported());
        assertEquals(Set.of("0.6", "0.7", "0.14", "0.15"), m.platformApis());
        assertEquals(Optional.of("0.7"), m.legacyPlatformApi());
        assertEquals(
                List.of(
                        new BuilderMetadata.Buildpack("paketo-buildpacks/java", "1.2.3", "https://x"),
                        new BuilderMetadata.Buildpack("fixture/hello", "0.0.1", "")),
                m.buildpacks());
        assertEquals(
                List.of(
                        new BuilderMetadata.RunImage("127.0.0.1:5000/run:1", List.of("other.example/run:1")),
                        new BuilderMetadata.RunImage("legacy/run:1", List.of("mirror.example/legacy/run:1"))),
                m.runImages());
        assertEquals("127.0.0.1:5000/run:1", m.defaultRunImage().orElseThrow().image());
        assertEquals(Optional.of("io.buildpacks.stacks.jammy"), m.stackId());
        assertEquals(1000, m.user().uid());
        assertEquals(1001, m.user().gid());
    }

    @Test
    void legacyBuilderWithOnlyApiPlatform() {
        String label = "{\"stack\":{\"runImage\":{\"image\":\"run:1\"}},"
                + "\"lifecycle\":{\"version\":\"0.9.0\",\"api\":{\"buildpack\":\"0.2\",\"platform\":\"0.3\"}}}";
        BuilderMetadata m = BuilderMetadata.from(
                config(labels(BuilderMetadata.LABEL, label), "CNB_USER_ID=1000", "CNB_GROUP_ID=1000"));
        assertEquals(Set.of("0.3"), m.platformApis());
        assertEquals(List.of(new BuilderMetadata.RunImage("run:1", List.of())), m.runImages());
        assertEquals(Optional.empty(), m.stackId());
    }

    @Test
    void cnbIdsAreRequiredAndNumeric() {
        Map<String, String> l = labels(BuilderMetadata.LABEL, PACK_LABEL);
        assertMessage(() -> BuilderMetadata.from(config(l, "CNB_GROUP_ID=1000")), "CNB_USER_ID");
        assertMessage(() -> BuilderMetadata.from(config(l, "CNB_USER_ID=1000")), "CNB_GROUP_ID");
        assertMessage(() -> BuilderMetadata.from(config(l, "CNB_USER_ID=cnb", "CNB_GROUP_ID=1")), "'cnb'");
        assertMessage(() -> BuilderMetadata.from(config(l, "CNB_USER_ID=-1", "CNB_GROUP_ID=1")), "non-negative");
    }

    @Test
    void brokenLabelsAreNamed() {
        assertMessage(
                () -> BuilderMetadata.from(config(labels(), "CNB_USER_ID=1", "CNB_GROUP_ID=1")), "not a CNB builder");
        assertMessage(
                () -> BuilderMetadata.from(
                        config(labels(BuilderMetadata.LABEL, "{nope"), "CNB_USER_ID=1", "CNB_GROUP_ID=1")),
                "not valid JSON");
        assertMessage(
                () -> BuilderMetadata.from(config(
                        labels(
                                BuilderMetadata.LABEL,
                                "{\"lifecycle\":{\"apis\":{\"platform\":{\"supported\":[\"latest\"]}}}}"),
                        "CNB_USER_ID=1",
                        "CNB_GROUP_ID=1")),
                "invalid API version 'latest'");
        assertMessage(
                () -> BuilderMetadata.from(config(
                        labels(BuilderMetadata.LABEL, "{\"buildpacks\":{}}"), "CNB_USER_ID=1", "CNB_GROUP_ID=1")),
                "buildpacks");
    }

    @Test
    void lifecycleImageLabel() {
        LifecycleApis apis = LifecycleApis.fromLifecycleImage(config(labels(
                LifecycleApis.LIFECYCLE_IMAGE_LABEL,
                "{\"buildpack\":{\"deprecated\":[],\"supported\":[\"0.7\",\"0.12\"]},"
                        + "\"platform\":{\"deprecated\":[],\"supported\":[\"0.12\",\"0.13\"]}}")));
        assertEquals(List.of("0.12", "0.13"), apis.platformSupported());
        assertEquals(Set.of("0.12", "0.13"), apis.platformApis());
        assertMessage(() -> LifecycleApis.fromLifecycleImage(config(labels())), LifecycleApis.LIFECYCLE_IMAGE_LABEL);
    }

    // ---- cases of the former lenient lifecycle.BuilderMetadata, which builds used ----------------

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

    static BuilderMetadata builder(String label) {
        return BuilderMetadata.from(
                config(labels(BuilderMetadata.LABEL, label), "CNB_USER_ID=1000", "CNB_GROUP_ID=1000"));
    }

    @Test
    void readsTheFieldsPackWrites() {
        BuilderMetadata m = builder(PAKETO_LIKE);
        assertEquals("0.21.13", m.lifecycleVersion());
        assertEquals(9, m.apis().platformSupported().size());
        assertEquals(List.of("0.6"), m.apis().platformDeprecated());
        assertEquals(Optional.of("0.7"), m.legacyPlatformApi());
        assertEquals(
                List.of(
                        "paketo-buildpacks/nodejs@1.2.3",
                        "paketo-buildpacks/procfile@5.13.4",
                        "paketo-buildpacks/procfile@5.13.5"),
                m.buildpacks().stream().map(b -> b.id() + "@" + b.version()).toList());
        // images[] first, then the legacy stack.runImage, as pack's RunImages() returns them
        assertEquals(2, m.runImages().size());
        assertEquals(List.of("gcr.io/paketo/run:latest"), m.runImages().get(0).mirrors());
        assertEquals(
                "index.docker.io/paketobuildpacks/run-jammy-base:latest",
                m.runImages().get(1).image());
    }

    @Test
    void missingLabelSaysItIsNotABuilder() {
        assertMessage(
                () -> BuilderMetadata.from(config(labels("other", "x"), "CNB_USER_ID=1", "CNB_GROUP_ID=1")),
                "image is not a CNB builder: it has no label io.buildpacks.builder.metadata");
    }

    @Test
    void invalidJsonAndBadVersionsAreNamed() {
        assertMessage(() -> builder("{not json"), "is not valid JSON");
        assertMessage(() -> builder("[1]"), "not a JSON object");
        assertMessage(
                () -> builder("{\"lifecycle\":{\"apis\":{\"platform\":{\"supported\":[\"0.x\"]}}}}"),
                "lifecycle.apis platform 'supported' holds an invalid API version '0.x'");
        assertMessage(
                () -> builder("{\"lifecycle\":{\"apis\":{\"platform\":{\"supported\":\"0.12\"}}}}"),
                "'supported' is not an array");
    }

    @Test
    void minimalLabelGivesEmptyLists() {
        BuilderMetadata m = builder("{}");
        assertTrue(m.apis().platformSupported().isEmpty());
        assertTrue(m.buildpacks().isEmpty());
        assertTrue(m.runImages().isEmpty());
        assertTrue(m.legacyPlatformApi().isEmpty());
        assertTrue(m.platformApis().isEmpty());
    }

    /** Builds read the label strictly too: what the lenient reader used to skip or coerce is refused. */
    @Test
    void nonStringFieldsAreRefusedWithASentence() {
        assertMessage(
                () -> builder("{\"lifecycle\":{\"apis\":{\"platform\":{\"supported\":[0.12]}}}}"),
                "'supported' holds a non-string 0.12");
        assertMessage(() -> builder("{\"lifecycle\":{\"version\":21}}"), "field 'version' is not a string");
        assertMessage(() -> builder("{\"buildpacks\":[{\"version\":\"1\"}]}"), "lists a buildpack without an id");
        assertMessage(() -> builder("{\"buildpacks\":[{\"id\":7}]}"), "field 'id' is not a string");
        assertMessage(
                () -> builder("{\"images\":[{\"image\":\"run:1\",\"mirrors\":[1]}]}"), "mirrors holds a non-string 1");
    }

    @Test
    void emptyRunImagesAndMirrorsNameNothing() {
        BuilderMetadata m =
                builder("{\"images\":[{\"image\":\"\"},{\"image\":\"run:1\",\"mirrors\":[\"\",\"m/run:1\"]}]}");
        assertEquals(List.of(new BuilderMetadata.RunImage("run:1", List.of("m/run:1"))), m.runImages());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should mention " + fragment);
    }
}
