package dev.locald.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The labels of an exported app image as a rebase reads them. */
class AppImageMetadataTest {

    private static ImageConfig config(Map<String, String> labels) {
        return new ImageConfig(
                List.of(), "1000:1000", "/workspace", List.of(), List.of(), labels, List.of(), "linux", "amd64");
    }

    @Test
    void runImagesAndMirrorsAndTheLifecycleVersion() {
        AppImageMetadata md = AppImageMetadata.from(config(Map.of(
                AppImageMetadata.LABEL,
                "{\"runImage\":{\"topLayer\":\"sha256:1\",\"reference\":\"r.io/run@sha256:2\",\"image\":\"r.io/run:1\","
                        + "\"mirrors\":[\"m.io/run:1\"]},\"stack\":{\"runImage\":{\"image\":\"r.io/run:1\","
                        + "\"mirrors\":[\"old.io/run:1\"]}}}",
                AppImageMetadata.BUILD_LABEL,
                "{\"launcher\":{\"version\":\"0.21.17\"}}")));
        assertEquals(List.of("r.io/run:1", "m.io/run:1", "old.io/run:1"), md.runImages());
        assertEquals("0.21.17", md.lifecycleVersion());
    }

    @Test
    void metadataWithoutRunImageOrVersionIsEmptyNotAnError() {
        AppImageMetadata md = AppImageMetadata.from(config(Map.of(AppImageMetadata.LABEL, "{}")));
        assertEquals(List.of(), md.runImages());
        assertEquals("", md.lifecycleVersion());
    }

    @Test
    void anImageNoLifecycleExportedCannotBeRebased() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AppImageMetadata.from(config(Map.of())));
        assertTrue(e.getMessage().contains("no label io.buildpacks.lifecycle.metadata"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AppImageMetadata.from(config(Map.of(AppImageMetadata.LABEL, "{oops"))));
        assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> AppImageMetadata.from(config(Map.of(AppImageMetadata.LABEL, "[]"))));
    }
}
