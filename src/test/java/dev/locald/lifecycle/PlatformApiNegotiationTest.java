package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.ImageConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class PlatformApiNegotiationTest {

    /** Cases that hold at every platform API locald supports run at each, as the lifecycle's tests do. */
    static final String SUPPORTED = "dev.locald.lifecycle.PlatformApiNegotiation#LOCALD_SUPPORTED";

    static final List<PlatformApi> LOCALD = PlatformApiNegotiation.LOCALD_SUPPORTED;

    private static BuilderMetadata builder(String supported, String deprecated, String legacy) {
        String json = "{\"lifecycle\":{\"version\":\"0.17.0\""
                + (legacy == null ? "" : ",\"api\":{\"platform\":\"" + legacy + "\"}")
                + ",\"apis\":{\"platform\":{\"supported\":[" + supported + "],\"deprecated\":[" + deprecated + "]}}}}";
        return metadata(json);
    }

    private static BuilderMetadata metadata(String label) {
        return BuilderMetadata.from(
                config(Map.of(BuilderMetadata.LABEL, label), "CNB_USER_ID=1000", "CNB_GROUP_ID=1000"));
    }

    private static ImageConfig config(Map<String, String> labels, String... env) {
        return new ImageConfig(
                List.of(env), "1000:1000", "/layers", List.of(), List.of(), labels, List.of(), "linux", "amd64");
    }

    private static String list(String from, int lo, int hi) {
        StringBuilder sb = new StringBuilder();
        for (int i = lo; i <= hi; i++) {
            sb.append(sb.length() == 0 ? "" : ",")
                    .append('"')
                    .append(from)
                    .append(i)
                    .append('"');
        }
        return sb.toString();
    }

    @Test
    void picksTheHighestVersionBothSupport() {
        PlatformApi highest = LOCALD.get(LOCALD.size() - 1);
        assertEquals(highest, PlatformApiNegotiation.negotiate("paketo", builder(list("0.", 7, 15), "", "0.7")));
        assertEquals(
                highest,
                PlatformApiNegotiation.negotiate("heroku", builder(list("0.", 7, highest.minor()), "", "0.7")));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void aBuilderUpToAVersionLocaldSupportsRunsAtThatVersion(PlatformApi api) {
        assertEquals(api, PlatformApiNegotiation.negotiate("b", builder(list("0.", 3, api.minor()), "", null)));
        assertEquals(api, PlatformApiNegotiation.negotiate("b", builder(list("0.", 7, api.minor()), "", null)));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void deprecatedVersionsStillCount(PlatformApi api) {
        String deprecated = LOCALD.stream()
                .filter(v -> !v.atLeast(api) || v.equals(api))
                .map(v -> "\"" + v + "\"")
                .collect(Collectors.joining(","));
        assertEquals(api, PlatformApiNegotiation.negotiate("b", builder("\"0.7\"", deprecated, null)));
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void legacySingleVersionIsUsedWithoutApis(PlatformApi api) {
        assertEquals(api, PlatformApiNegotiation.negotiate("old", builder("", "", api.toString())));
    }

    @Test
    void legacySingleVersionIsUsedOnlyWithoutApis() {
        // with apis present the legacy value (the earliest version) is ignored
        assertEquals(
                "0.13",
                PlatformApiNegotiation.negotiate("b", builder(list("0.", 7, 13), "", "0.12"))
                        .toString());
    }

    @Test
    void incompatibleBuilderGetsTheSentenceAUserSees() {
        IncompatiblePlatformApiException e = assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PlatformApiNegotiation.negotiate("X", builder(list("0.", 3, 9), "", "0.3")));
        assertEquals(
                "builder X's lifecycle (0.17.0) supports platform APIs 0.3–0.9; locald needs one of 0.12–0.15",
                e.getMessage());
        IncompatiblePlatformApiException newer = assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PlatformApiNegotiation.negotiate("Y", builder("\"0.16\",\"0.17\"", "", null)));
        assertTrue(
                newer.getMessage().contains("supports platform APIs 0.16–0.17; locald needs one of 0.12–0.15"),
                newer.getMessage());
    }

    @Test
    void builderWithoutAnyApiIsRefused() {
        IncompatiblePlatformApiException e = assertThrows(
                IncompatiblePlatformApiException.class, () -> PlatformApiNegotiation.negotiate("b", metadata("{}")));
        assertTrue(e.getMessage().contains("names no platform API"), e.getMessage());
    }

    @ParameterizedTest
    @FieldSource(SUPPORTED)
    void lifecycleImageCapsTheVersion(PlatformApi api) {
        ImageConfig labels = config(Map.of(
                PlatformApiNegotiation.LIFECYCLE_APIS_LABEL,
                "{\"buildpack\":{\"supported\":[\"0.7\"]},\"platform\":{\"deprecated\":[],\"supported\":["
                        + list("0.", 7, api.minor()) + "]}}"));
        assertEquals(
                api,
                PlatformApiNegotiation.negotiate(
                        "b", builder(list("0.", 7, 15), "", null), "buildpacksio/lifecycle:0.19.0", labels));
    }

    @Test
    void lifecycleImageIsIntersected() {
        ImageConfig labels = config(
                Map.of(
                        PlatformApiNegotiation.LIFECYCLE_APIS_LABEL,
                        "{\"buildpack\":{\"supported\":[\"0.7\"]},\"platform\":{\"deprecated\":[],\"supported\":[\"0.7\",\"0.8\",\"0.9\",\"0.10\",\"0.11\",\"0.12\",\"0.13\"]}}"));
        assertEquals(
                "0.13",
                PlatformApiNegotiation.negotiate(
                                "b", builder(list("0.", 7, 15), "", null), "buildpacksio/lifecycle:0.19.0", labels)
                        .toString());
        IncompatiblePlatformApiException e = assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PlatformApiNegotiation.negotiate("b", builder("\"0.14\"", "", null), "lc", labels));
        assertEquals(
                "builder b's lifecycle (0.17.0) supports platform APIs 0.14 and lifecycle image lc supports 0.7–0.13;"
                        + " locald needs one of 0.12–0.15 supported by both",
                e.getMessage());
    }

    /** A rebase has no builder: the lifecycle image's label alone decides. */
    @Test
    void aRebaseNegotiatesWithTheLifecycleImageAlone() {
        ImageConfig labels = config(Map.of(
                PlatformApiNegotiation.LIFECYCLE_APIS_LABEL,
                "{\"buildpack\":{\"supported\":[\"0.7\"]},\"platform\":{\"deprecated\":[],\"supported\":["
                        + list("0.", 7, 15) + "]}}"));
        assertEquals("0.15", PlatformApiNegotiation.negotiate("lc", labels).toString());
        ImageConfig old = config(Map.of(
                PlatformApiNegotiation.LIFECYCLE_APIS_LABEL,
                "{\"buildpack\":{\"supported\":[\"0.7\"]},\"platform\":{\"deprecated\":[],\"supported\":["
                        + list("0.", 7, 11) + "]}}"));
        IncompatiblePlatformApiException e = assertThrows(
                IncompatiblePlatformApiException.class, () -> PlatformApiNegotiation.negotiate("lc:0.17", old));
        assertEquals(
                "lifecycle image lc:0.17 supports platform APIs 0.7–0.11; locald needs one of 0.12–0.15",
                e.getMessage());
        assertThrows(
                IncompatiblePlatformApiException.class, () -> PlatformApiNegotiation.negotiate("lc", config(Map.of())));
    }

    @Test
    void lifecycleImageWithoutLabelIsRefused() {
        IncompatiblePlatformApiException e = assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PlatformApiNegotiation.negotiate(
                        "b", builder(list("0.", 7, 15), "", null), "lc", config(Map.of())));
        assertTrue(
                e.getMessage().contains("lifecycle image lc has no io.buildpacks.lifecycle.apis label"),
                e.getMessage());
        assertThrows(
                IncompatiblePlatformApiException.class,
                () -> PlatformApiNegotiation.negotiate(
                        "b",
                        builder(list("0.", 7, 15), "", null),
                        "lc",
                        config(Map.of(PlatformApiNegotiation.LIFECYCLE_APIS_LABEL, "{oops"))));
    }
}
