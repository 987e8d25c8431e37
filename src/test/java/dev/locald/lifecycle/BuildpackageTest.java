package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locald.image.Digest;
import dev.locald.image.ImageConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The labels of a buildpackage image, as pack writes them, read strictly with a sentence for each fault. */
class BuildpackageTest {

    private static final String BASE = "sha256:" + "0".repeat(64);
    private static final String META_LAYER = "sha256:" + "1".repeat(64);
    private static final String CHILD_LAYER = "sha256:" + "2".repeat(64);

    private static ImageConfig config(String metadata, String layers) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        if (metadata != null) {
            labels.put(Buildpackage.METADATA_LABEL, metadata);
        }
        if (layers != null) {
            labels.put(Buildpackage.LAYERS_LABEL, layers);
        }
        return new ImageConfig(
                List.of(),
                "",
                "",
                List.of(),
                List.of(),
                labels,
                List.of(Digest.parse(BASE), Digest.parse(CHILD_LAYER), Digest.parse(META_LAYER)),
                "linux",
                "amd64");
    }

    private static final String LAYERS =
            "{\"example/meta\":{\"1.0.0\":{\"api\":\"0.10\",\"layerDiffID\":\"" + META_LAYER
                    + "\",\"order\":[{\"group\":[{\"id\":\"example/child\",\"version\":\"2.0.0\"}]}]}},"
                    + "\"example/child\":{\"2.0.0\":{\"api\":\"0.10\",\"layerDiffID\":\"" + CHILD_LAYER
                    + "\",\"homepage\":\"https://example.invalid\"}}}";

    @Test
    void aMetaBuildpackageNamesItsTopBuildpackAndEveryLayerInImageOrder() {
        Buildpackage p = Buildpackage.from(
                "r.example/bp:1", config("{\"id\":\"example/meta\",\"version\":\"1.0.0\",\"stacks\":[]}", LAYERS));
        assertEquals("example/meta@1.0.0", p.top().toString());
        assertEquals(2, p.buildpacks().size());
        // the image's order, not the label's: the child's layer lies below the meta-buildpack's
        assertEquals(List.of(Digest.parse(CHILD_LAYER), Digest.parse(META_LAYER)), p.layers());
        assertEquals("https://example.invalid", p.buildpacks().get(1).homepage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            NONE                                              | LAYERS | the buildpack image r.example/bp:1 is not a buildpackage: it has no label io.buildpacks.buildpackage.metadata
            {"id":"example/meta","version":"1.0.0"}           | NONE   | the buildpack image r.example/bp:1 is not a buildpackage: it has no label io.buildpacks.buildpack.layers
            not json                                          | LAYERS | the buildpack image r.example/bp:1 has a label io.buildpacks.buildpackage.metadata that is not valid JSON
            {"id":"example/meta"}                             | LAYERS | the buildpack image r.example/bp:1 has a label io.buildpacks.buildpackage.metadata without a string id and version
            {"id":"example/other","version":"1.0.0"}          | LAYERS | the buildpack image r.example/bp:1 names example/other@1.0.0 in its label io.buildpacks.buildpackage.metadata, but its label io.buildpacks.buildpack.layers has no layer for it
            {"id":"example/meta","version":"1.0.0"}           | MISSING | the buildpack image r.example/bp:1 names the layer sha256:3333333333333333333333333333333333333333333333333333333333333333 for buildpack example/meta@1.0.0 in its label io.buildpacks.buildpack.layers, but the image has no such layer
            {"id":"example/meta","version":"1.0.0"}           | NODIFF | the buildpack image r.example/bp:1 has a label io.buildpacks.buildpack.layers whose example/meta@1.0.0 has no valid layerDiffID
            {"id":"example/meta","version":"1.0.0"}           | []     | the buildpack image r.example/bp:1 has a label io.buildpacks.buildpack.layers that is not a non-empty JSON object
            {"id":"../x","version":"1.0.0"}                   | LAYERS | the buildpack image r.example/bp:1 has a label io.buildpacks.buildpackage.metadata naming not a valid buildpack id: '../x'
            """)
    void malformedLabelsAreRefusedWithASentenceNamingTheImage(String metadata, String layers, String sentence) {
        String layersLabel = switch (layers) {
            case "LAYERS" -> LAYERS;
            case "NONE" -> null;
            case "MISSING" -> "{\"example/meta\":{\"1.0.0\":{\"layerDiffID\":\"sha256:" + "3".repeat(64) + "\"}}}";
            case "NODIFF" -> "{\"example/meta\":{\"1.0.0\":{\"api\":\"0.10\"}}}";
            default -> layers;
        };
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Buildpackage.from(
                        "r.example/bp:1", config(metadata.equals("NONE") ? null : metadata, layersLabel)));
        assertEquals(sentence, e.getMessage());
    }

    @Test
    void onlyDockerEntriesAreImages() {
        assertEquals(true, Buildpackage.isImage("docker://r/bp:1"));
        assertEquals(false, Buildpackage.isImage("urn:cnb:builder:a"));
        assertEquals(false, Buildpackage.isImage("a/b@1"));
    }
}
