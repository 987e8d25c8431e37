package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.fixtures.FixtureFolder;
import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.BuildsApi;
import dev.locald.testsupport.LayerTar;
import dev.locald.testsupport.TestRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * project.toml end to end through POST /builds with the fixture builder under real runc: include/exclude while
 * the source is written, the descriptor's env, group and builder, and a malformed descriptor's sentence
 * (docs/api.md, "project.toml"). The fixture hello buildpack runs FIXTURE_HOOK in /workspace.
 */
@QuarkusTest
@TestProfile(EndToEndBuildTest.Profile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectDescriptorBuildTest {

    private static final String HOOK = "echo \"hook-ls: $(ls -A | tr '\\n' ' ')\"; "
            + "echo \"hook-env: DESC_VAR=$(cat /platform/env/DESC_VAR) CLASH=$(cat /platform/env/CLASH)\"";

    private TestRegistry registry;
    private FixtureImages.Fixtures fixtures;

    @BeforeAll
    void publishFixtures() {
        if (LifecycleImageBuildTest.FixtureRegistry.unavailable != null) {
            throw LifecycleImageBuildTest.FixtureRegistry.unavailable;
        }
        registry = LifecycleImageBuildTest.FixtureRegistry.registry;
        fixtures = LifecycleImageBuildTest.FixtureRegistry.fixtures;
    }

    @Test
    void excludedFilesNeverReachTheWorkspaceAndTheDescriptorEnvReachesTheBuildpacks() throws Exception {
        String toml = "[_]\nschema-version = \"0.2\"\nid = \"e2e\"\n\n[io.buildpacks]\n"
                + "exclude = [\"secret.txt\", \"logs/\"]\n\n"
                + "[[io.buildpacks.build.env]]\nname = \"FIXTURE_HOOK\"\nvalue = '''" + HOOK + "'''\n\n"
                + "[[io.buildpacks.build.env]]\nname = \"DESC_VAR\"\nvalue = \"from-descriptor\"\n\n"
                + "[[io.buildpacks.build.env]]\nname = \"CLASH\"\nvalue = \"descriptor\"\n\n"
                + "[some.tool]\nanything = 1\n";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/descriptor-exclude:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true,
                        "env",
                        Map.of("CLASH", "request")),
                app(toml, true));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        String listing = line(log, "hook-ls: ");
        assertTrue(
                listing.contains("app.sh") && listing.contains("project.toml") && listing.contains("kept.txt"),
                listing);
        assertFalse(listing.contains("secret.txt"), listing);
        assertFalse(listing.contains("logs"), listing);
        assertTrue(line(log, "hook-env: ").endsWith("DESC_VAR=from-descriptor CLASH=request"), log);
    }

    @Test
    void theDescriptorsBuilderAndGroupAreUsedWhenTheRequestNamesNone() throws Exception {
        // the legacy 0.1 form: [project] and [build]
        String builder = fixtures.busybox().image().reference();
        String toml = "[project]\nid = \"e2e\"\n\n[build]\nbuilder = \"" + builder + "\"\n"
                + "include = [\"app.sh\", \"public/\"]\n\n"
                + "[[build.buildpacks]]\nuri = \"urn:cnb:builder:fixture/hello\"\n\n"
                + "[[build.buildpacks]]\nid = \"fixture/env-recorder\"\nversion = \"1.0.0\"\n";
        String location = BuildsApi.submit(
                Map.of("image", registry.hostPort() + "/e2e/descriptor-group:1", "trustBuilder", true),
                app(toml, false));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("pulling builder " + builder), log);
        assertTrue(log.contains("Detecting with order /layers/order.toml"), log);
        assertTrue(log.contains("pass: fixture/hello@1.0.0"), log);
        assertTrue(log.contains("pass: fixture/env-recorder@1.0.0"), log);
        assertFalse(log.contains("fixture/cache"), "the builder's own order was replaced: " + log);
    }

    /** Without a group, pre and post wrap every group of the builder's own order (its order label). */
    @Test
    void preAndPostGroupsWrapTheBuildersOrder() throws Exception {
        String toml = "[_]\nschema-version = \"0.2\"\n\n[[io.buildpacks.pre.group]]\nid = \"fixture/env-recorder\"\n";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/descriptor-pre:1",
                        "builder",
                        fixtures.busybox().image().reference(),
                        "trustBuilder",
                        true),
                app(toml, false));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        String log = BuildsApi.textLog(location);
        assertEquals("succeeded", build.path("state").asText(), build.toPrettyString() + log);
        assertTrue(log.contains("Detecting with order /layers/order.toml"), log);
        int recorder = log.indexOf("pass: fixture/env-recorder@1.0.0");
        int hello = log.lastIndexOf("pass: fixture/hello@1.0.0");
        assertTrue(recorder >= 0 && hello > recorder, "env-recorder runs first in the chosen group: " + log);
        assertTrue(log.contains("== identity =="), "the pre buildpack built: " + log);
    }

    @Test
    void aMalformedDescriptorOrNoBuilderFailsBeforeAnyPhaseWithItsSentence() throws Exception {
        String toml = "[_]\nschema-version = \"0.2\"\n\n[[io.buildpacks.build.env]]\nvalue = \"x\"\n";
        String location = BuildsApi.submit(
                Map.of(
                        "image",
                        registry.hostPort() + "/e2e/descriptor-bad:1",
                        "builder",
                        fixtures.busybox().image().reference()),
                app(toml, false));
        JsonNode build = BuildsApi.awaitFinished(location, Duration.ofMinutes(4));
        assertEquals("failed", build.path("state").asText(), build.toPrettyString());
        assertTrue(
                build.toString().contains("project.toml: io.buildpacks.build.env[0].name is missing"),
                build.toPrettyString());
        assertEquals(0, build.path("phases").size(), build.toPrettyString());

        String none = BuildsApi.submit(
                Map.of("image", registry.hostPort() + "/e2e/descriptor-none:1"), FixtureFolder.appTar("hello"));
        JsonNode noBuilder = BuildsApi.awaitFinished(none, Duration.ofMinutes(4));
        assertEquals("failed", noBuilder.path("state").asText(), noBuilder.toPrettyString());
        assertTrue(noBuilder.toString().contains("no builder: the request names none"), noBuilder.toPrettyString());

        String linkLocal = BuildsApi.submit(
                Map.of("image", registry.hostPort() + "/e2e/descriptor-linklocal:1"),
                app("[_]\nschema-version = \"0.2\"\n[io.buildpacks]\nbuilder = \"169.254.169.254/b:1\"\n", false));
        JsonNode refused = BuildsApi.awaitFinished(linkLocal, Duration.ofMinutes(4));
        assertEquals("failed", refused.path("state").asText(), refused.toPrettyString());
        assertTrue(refused.toString().contains("a link-local address"), refused.toPrettyString());
        assertEquals(0, refused.path("phases").size(), refused.toPrettyString());
    }

    /** The hello sample app, a project.toml, and files the descriptor keeps or drops. */
    private static byte[] app(String projectToml, boolean extras) {
        LayerTar tar = LayerTar.create();
        FixtureFolder.addTree(tar, FixtureFolder.app("hello"), ".");
        tar.file("./project.toml", projectToml);
        tar.file("./kept.txt", "kept");
        if (extras) {
            tar.file("./secret.txt", "do not ship");
            tar.dir("./logs");
            tar.file("./logs/build.log", "old log");
        }
        return tar.toBytes();
    }

    private static String line(String log, String prefix) {
        return List.of(log.split("\n")).stream()
                .filter(l -> l.contains(prefix))
                .map(l -> l.substring(l.indexOf(prefix) + prefix.length()).strip())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + prefix + " in " + log));
    }
}
