package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.RealCnb;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A buildpackage made by the real {@code pack buildpack package} (a meta-buildpack whose order names the fixture
 * buildpack {@code packaged}, packaged with it) run by the real lifecycle in the fixture builder through POST
 * /builds: locald adds the image's two layers and puts the meta-buildpack in the order; the lifecycle resolves
 * its order from its buildpack.toml and runs {@code packaged}. Skips without Go outside CI, fails under CI.
 */
@QuarkusTest
@TestProfile(RealBuildpackImageBuildTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealBuildpackImageBuildTest {

    public static class Profile extends EndToEndBuildTest.Profile {
        public Profile() {
            super("target/locald-e2e-real-bp-image", "real");
        }
    }

    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;
    private String metaImage;

    @BeforeAll
    void packageWithPack() throws Exception {
        if (LifecycleImageBuildTest.FixtureRegistry.unavailable != null) {
            throw LifecycleImageBuildTest.FixtureRegistry.unavailable;
        }
        registry = LifecycleImageBuildTest.FixtureRegistry.registry;
        fixtures = LifecycleImageBuildTest.FixtureRegistry.fixtures;
        Path work = Files.createTempDirectory("locald-bp-image-");
        Path meta = Files.createDirectories(work.resolve("meta"));
        Files.writeString(meta.resolve("buildpack.toml"), """
                api = "0.10"

                [buildpack]
                  id = "fixture/meta"
                  version = "1.0.0"
                  name = "Fixture meta-buildpack"

                [[order]]
                  [[order.group]]
                    id = "fixture/packaged"
                    version = "0.3.0"
                """);
        Path packageToml = work.resolve("package.toml");
        Files.writeString(
                packageToml,
                "[buildpack]\nuri = \"" + meta + "\"\n\n[[dependencies]]\nuri = \""
                        + FixtureFolder.root().resolve("buildpacks/packaged").toAbsolutePath() + "\"\n\n"
                        + "[platform]\nos = \"linux\"\n");
        metaImage = registry.hostPort() + "/buildpacks/meta:1";
        // --publish keeps pack off the Docker daemon (as scripts/real-cnb/publish.sh does)
        Files.createDirectories(work.resolve("pack-home"));
        Files.createDirectories(work.resolve("docker"));
        Files.writeString(work.resolve("docker/config.json"), "{}");
        ProcessBuilder pb = new ProcessBuilder(
                        RealCnb.tool("PACK").toString(),
                        "buildpack",
                        "package",
                        metaImage,
                        "--config",
                        packageToml.toString(),
                        "--publish",
                        "--no-color")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("pack.log").toFile());
        pb.environment().put("PACK_HOME", work.resolve("pack-home").toString());
        pb.environment().put("DOCKER_CONFIG", work.resolve("docker").toString());
        Process pack = pb.start();
        assertTrue(pack.waitFor(5, TimeUnit.MINUTES), "pack buildpack package did not finish");
        assertEquals(
                0, pack.exitValue(), () -> "pack buildpack package failed: " + readQuietly(work.resolve("pack.log")));
    }

    @Test
    void aMetaBuildpackagePackedByPackRunsItsOrderWithTheRealLifecycle() throws Exception {
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/real-bp-image:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true,
                        "buildpacks",
                        List.of("docker://" + metaImage, "fixture/hello")),
                FixtureFolder.appTar("hello"));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(6));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("buildpack image " + metaImage + " adds fixture/meta@1.0.0 (2 buildpack(s)"), log);
        assertTrue(log.contains("untrusted builder: five phase containers"), log);
        assertTrue(
                log.contains("fixture/packaged 0.3.0: built from a buildpackage image, found in "
                        + "/cnb/buildpacks/fixture_packaged/0.3.0"),
                log);
        assertTrue(log.contains("fixture/hello: built the shell app"), log);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
