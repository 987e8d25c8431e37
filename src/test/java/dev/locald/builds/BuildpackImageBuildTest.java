package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.ImagePusher;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.TestImage;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Buildpacks from buildpackage images ({@code docker://<image>}) end to end through POST /builds with the fixture
 * builder under real runc: the fixture buildpack {@code packaged}, which no builder holds, is published to the
 * test registry as a buildpackage image; a build naming it (in the request or in project.toml) pulls it, runs it
 * from its own layer on top of the builder's, and runs as an untrusted builder although the request trusts the
 * builder; a buildpackage without its layers label fails with a sentence naming the image (docs/api.md,
 * "Buildpacks from images").
 */
@QuarkusTest
@TestProfile(EndToEndBuildTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildpackImageBuildTest {

    private static final String RAN = "fixture/packaged 0.3.0: built from a buildpackage image, found in "
            + "/cnb/buildpacks/fixture_packaged/0.3.0";

    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;
    private FixtureImages.PublishedImage packaged;

    @BeforeAll
    void publishFixtures() {
        if (LifecycleImageBuildTest.FixtureRegistry.unavailable != null) {
            throw LifecycleImageBuildTest.FixtureRegistry.unavailable;
        }
        registry = LifecycleImageBuildTest.FixtureRegistry.registry;
        fixtures = LifecycleImageBuildTest.FixtureRegistry.fixtures;
        packaged = FixtureImages.publishBuildpackage(registry, "packaged", "buildpacks/packaged", labels -> {});
    }

    @Test
    void aBuildpackImageInTheRequestRunsAndTurnsATrustedBuilderUntrusted() throws Exception {
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/bp-image:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true,
                        "buildpacks",
                        List.of("docker://" + packaged.reference(), "fixture/hello")),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("pulling buildpack image " + packaged.reference()), log);
        assertTrue(log.contains("buildpack image " + packaged.reference() + " adds fixture/packaged@0.3.0"), log);
        assertTrue(log.contains("pass: fixture/packaged@0.3.0"), log);
        assertTrue(log.contains(RAN), log);
        assertTrue(log.contains("fixture/hello: built the shell app"), log);
        // the trust was in the builder, not in the image's code: five phases, credentialed ones on the lifecycle image
        assertTrue(log.contains("which are not part of the trusted builder"), log);
        assertTrue(log.contains("untrusted builder: five phase containers"), log);
        List<String> phases = new ArrayList<>();
        build.path("phases").forEach(p -> phases.add(p.path("name").asText()));
        assertEquals(
                List.of("analyzer", "detector", "restorer", "builder", "exporter"), phases, build.toPrettyString());
        assertFalse(build.toString().contains("\"creator\""), build.toPrettyString());
    }

    @Test
    void aBuildpackImageInProjectTomlRunsToo() throws Exception {
        // by digest, after the builder's own buildpack (post group)
        String toml = "[_]\nschema-version = \"0.2\"\n\n[[io.buildpacks.group]]\nid = \"fixture/hello\"\n\n"
                + "[[io.buildpacks.post.group]]\nuri = \"docker://" + packaged.digestReference() + "\"\n";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/bp-image-descriptor:1",
                        "builder",
                        fixtures.busybox().image().reference()),
                app(toml));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("pulling buildpack image " + packaged.digestReference()), log);
        int hello = log.indexOf("fixture/hello: built the shell app");
        int bp = log.indexOf(RAN);
        assertTrue(hello >= 0 && bp > hello, "the post buildpack runs after the group: " + log);
    }

    @Test
    void aBuildpackageWithoutItsLayersLabelFailsWithASentence() throws Exception {
        FixtureImages.PublishedImage broken = FixtureImages.publishBuildpackage(
                registry,
                "packaged",
                "buildpacks/packaged-broken",
                labels -> labels.remove("io.buildpacks.buildpack.layers"));
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/bp-image-broken:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "buildpacks",
                        List.of("docker://" + broken.reference())),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.toString()
                        .contains("the buildpack image " + broken.reference()
                                + " is not a buildpackage: it has no label io.buildpacks.buildpack.layers"),
                build.toPrettyString());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
    }

    /**
     * pack builds builders from buildpackages, so a buildpackage often shares its layer (same diffID, same
     * extracted dir) with the builder: the layer is the builder's already and is not stacked twice.
     */
    @Test
    void aBuildpackageSharingItsLayerWithTheBuilderBuilds() throws Exception {
        byte[] helloLayer = fixtures.busybox().image().layerTars().stream()
                .filter(t -> new String(t, StandardCharsets.ISO_8859_1).contains("cnb/buildpacks/fixture_hello/1.0.0/"))
                .findFirst()
                .orElseThrow();
        String image = push("buildpacks/shared", helloLayer, "fixture/hello", "1.0.0");
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/bp-image-shared:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "buildpacks",
                        List.of("docker://" + image)),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("buildpack image " + image + " adds fixture/hello@1.0.0"), log);
        assertTrue(log.contains("fixture/hello: built the shell app"), log);
    }

    @Test
    void aBuildpackageLayerHoldingMoreThanBuildpacksIsRefused() throws Exception {
        byte[] layer = LayerTar.create()
                .dir("cnb", 0755, 0, 0)
                .dir("cnb/buildpacks", 0755, 0, 0)
                .dir("cnb/buildpacks/fixture_sneaky", 0755, 0, 0)
                .dir("cnb/buildpacks/fixture_sneaky/1.0.0", 0755, 0, 0)
                .file("cnb/buildpacks/fixture_sneaky/1.0.0/buildpack.toml", "api = \"0.10\"\n")
                .dir("etc", 0755, 0, 0)
                .file("etc/passwd", "root:x:0:0::/:/bin/sh\n")
                .toBytes();
        String image = push("buildpacks/sneaky", layer, "fixture/sneaky", "1.0.0");
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/bp-image-sneaky:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "buildpacks",
                        List.of("docker://" + image, "fixture/hello")),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.toString().contains("the buildpack image " + image + " was refused: its layer sha256:"),
                build.toPrettyString());
        assertTrue(build.toString().contains("holds '/etc', outside /cnb/buildpacks"), build.toPrettyString());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());
    }

    /** A one-layer buildpackage image naming {@code id@version} in that layer; returns its tag reference. */
    private String push(String repository, byte[] layer, String id, String version) {
        String diffId = ImagePusher.digest(layer);
        TestImage built = TestImage.builder()
                .label("io.buildpacks.buildpackage.metadata", "{\"id\":\"" + id + "\",\"version\":\"" + version + "\"}")
                .label(
                        "io.buildpacks.buildpack.layers",
                        "{\"" + id + "\":{\"" + version + "\":{\"api\":\"0.10\",\"layerDiffID\":\"" + diffId + "\"}}}")
                .layer(layer, TestImage.Compression.GZIP)
                .build();
        registry.pusher().push(repository, "1", built);
        return registry.hostPort() + "/" + repository + ":1";
    }

    /** The hello sample app with a project.toml. */
    private static byte[] app(String projectToml) {
        LayerTar tar = LayerTar.create();
        FixtureFolder.addTree(tar, FixtureFolder.app("hello"), ".");
        tar.file("./project.toml", projectToml);
        return tar.toBytes();
    }
}
