package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrderTomlTest {

    static final List<BuilderMetadata.Buildpack> BUILDER = List.of(
            new BuilderMetadata.Buildpack("paketo-buildpacks/node-engine", "1.2.3", ""),
            new BuilderMetadata.Buildpack("paketo-buildpacks/npm-install", "0.9.0", ""),
            new BuilderMetadata.Buildpack("paketo-buildpacks/procfile", "5.13.4", ""),
            new BuilderMetadata.Buildpack("paketo-buildpacks/procfile", "5.13.5", ""));

    @TempDir
    Path tmp;

    @Test
    void parsesIdAndIdAtVersion() {
        assertEquals(new BuildpackRef("a/b", Optional.empty()), BuildpackRef.parse("a/b"));
        assertEquals(new BuildpackRef("a/b", Optional.of("1.0.0")), BuildpackRef.parse("a/b@1.0.0"));
        assertEquals("a/b@1.0.0", BuildpackRef.parse("a/b@1.0.0").toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "@1.0",
                "a/b@",
                "a@b@c",
                "docker://x/y",
                "urn:cnb:builder:x",
                "https://x/y.tgz",
                "../etc",
                "a//b",
                "a/b/",
                "app",
                "config",
                "a b",
                "a/b@1 0",
                "-x"
            })
    void refusesBadReferences(String text) {
        assertThrows(IllegalArgumentException.class, () -> BuildpackRef.parse(text));
    }

    @Test
    void resolvesVersionsFromTheBuilder() {
        List<BuildpackRef> group = BuildpackOrder.resolve(
                List.of("paketo-buildpacks/npm-install", "paketo-buildpacks/procfile@5.13.4"), BUILDER, "b");
        assertEquals("[paketo-buildpacks/npm-install@0.9.0, paketo-buildpacks/procfile@5.13.4]", group.toString());
    }

    /** Array-of-tables, one key per line: what pack writes and the fixture lifecycle's TOML subset reads. */
    @Test
    void rendersArrayOfTablesNotInlineTables() {
        assertEquals(
                "[[order]]\n\n  [[order.group]]\n    id = \"a/b\"\n    version = \"1.0\"\n"
                        + "\n  [[order.group]]\n    id = \"c\"\n    version = \"2\"\n",
                OrderToml.render(List.of(BuildpackRef.parse("a/b@1.0"), BuildpackRef.parse("c@2"))));
    }

    @Test
    void builderUrnsNameTheBuildersOwnBuildpacks() {
        List<BuildpackRef> group = BuildpackOrder.resolve(
                List.of(
                        "urn:cnb:builder:paketo-buildpacks/npm-install",
                        "urn:cnb:builder:paketo-buildpacks/procfile@5.13.5"),
                BUILDER,
                "b");
        assertEquals("[paketo-buildpacks/npm-install@0.9.0, paketo-buildpacks/procfile@5.13.5]", group.toString());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> BuildpackOrder.resolve(List.of("urn:cnb:builder:x/y"), BUILDER, "b"))
                .getMessage()
                .contains("does not contain buildpack x/y"));
        assertThrows(
                IllegalArgumentException.class,
                () -> BuildpackOrder.resolve(List.of("urn:cnb:registry:paketo-buildpacks/npm-install"), BUILDER, "b"));
    }

    @Test
    void explainsWhatCannotBeResolved() {
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> BuildpackOrder.resolve(List.of("x/y"), BUILDER, "b"))
                        .getMessage()
                        .contains("does not contain buildpack x/y"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> BuildpackOrder.resolve(List.of("paketo-buildpacks/procfile"), BUILDER, "b"))
                .getMessage()
                .contains("several versions (5.13.4, 5.13.5)"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> BuildpackOrder.resolve(List.of("paketo-buildpacks/node-engine@9.9.9"), BUILDER, "b"))
                .getMessage()
                .contains("only in version(s) 1.2.3, not 9.9.9"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> BuildpackOrder.resolve(
                                List.of("paketo-buildpacks/npm-install", "paketo-buildpacks/npm-install@0.9.0"),
                                BUILDER,
                                "b"))
                .getMessage()
                .contains("named twice"));
        assertThrows(IllegalArgumentException.class, () -> BuildpackOrder.resolve(List.of(), BUILDER, "b"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> BuildpackOrder.resolve(List.of("a/b"), List.of(), "b"))
                .getMessage()
                .contains("needs an explicit @version"));
        assertEquals(
                "[a/b@1.0]",
                BuildpackOrder.resolve(List.of("a/b@1.0"), List.of(), "b").toString());
    }

    @Test
    void rendersOneOrderWithOneGroupTheLifecycleCanRead() throws IOException {
        List<BuildpackRef> group = List.of(BuildpackRef.parse("paketo-buildpacks/node-engine@1.2.3"));
        Path file = OrderToml.write(tmp, List.of(group.get(0)), new CnbUser(1000, 1000));
        assertEquals(tmp.resolve("order.toml"), file);
        JsonNode order = new TomlMapper().readTree(Files.readString(file)).path("order");
        assertEquals(1, order.size());
        JsonNode g = order.get(0).path("group");
        assertEquals(1, g.size());
        assertEquals("paketo-buildpacks/node-engine", g.get(0).path("id").asText());
        assertEquals("1.2.3", g.get(0).path("version").asText());
        assertEquals(1000, Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertThrows(
                IOException.class,
                () -> OrderToml.write(tmp, List.of(group.get(0)), new CnbUser(1000, 1000)),
                "never overwrites");
    }

    @Test
    void idsWithQuotesCannotExistSoTomlStaysWellFormed() {
        assertThrows(IllegalArgumentException.class, () -> BuildpackRef.parse("x/quote\"d@2.0"));
    }
}
