package dev.locald.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProjectDescriptorTest {

    @Test
    void schema02() throws Exception {
        ProjectDescriptor d = ProjectDescriptor.parse("""
                [_]
                schema-version = "0.2"
                id = "my-app"
                [[_.licenses]]
                type = "MIT"

                [io.buildpacks]
                builder = "registry.example/builder:1"
                exclude = ["*.log", "node_modules/"]

                [[io.buildpacks.group]]
                id = "fixture/hello"
                version = "1.0.0"
                [[io.buildpacks.group]]
                uri = "urn:cnb:builder:fixture/cache@1.0.0"

                [[io.buildpacks.pre.group]]
                id = "fixture/pre"
                [[io.buildpacks.pre.group]]
                uri = "urn:cnb:registry:example/first@1.2.0"
                id = "example/first"
                [[io.buildpacks.post.group]]
                id = "fixture/post"
                [[io.buildpacks.post.group]]
                uri = "docker://registry.example/buildpacks/extra:2"

                [[io.buildpacks.build.env]]
                name = "B"
                value = "2"
                [[io.buildpacks.build.env]]
                name = "A"
                value = "1"

                [io.other-tool]
                anything = true
                """);
        assertEquals(Optional.of("registry.example/builder:1"), d.builder());
        assertEquals(List.of("*.log", "node_modules/"), d.exclude());
        assertEquals(List.of("fixture/hello@1.0.0", "urn:cnb:builder:fixture/cache@1.0.0"), d.group());
        assertEquals(List.of("fixture/pre", "urn:cnb:registry:example/first@1.2.0"), d.pre());
        assertEquals(List.of("fixture/post", "docker://registry.example/buildpacks/extra:2"), d.post());
        assertEquals(List.of("B", "A"), List.copyOf(d.env().keySet()));
        assertEquals(Map.of("A", "1", "B", "2"), d.env());
    }

    @Test
    void legacy01() throws Exception {
        ProjectDescriptor d = ProjectDescriptor.parse("""
                [project]
                id = "old"
                [build]
                include = ["src/"]
                builder = "b:1"
                [[build.buildpacks]]
                id = "fixture/hello"
                [[build.env]]
                name = "X"
                value = "y"
                [metadata]
                whatever = 1
                """);
        assertEquals(Optional.of("b:1"), d.builder());
        assertEquals(List.of("src/"), d.include());
        assertEquals(List.of("fixture/hello"), d.group());
        assertEquals(Map.of("X", "y"), d.env());
    }

    @Test
    void noBuildpacksTableIsNoDescriptor() throws Exception {
        assertEquals(ProjectDescriptor.NONE, ProjectDescriptor.parse("[_]\nschema-version = \"0.2\"\n"));
        assertEquals(ProjectDescriptor.NONE, ProjectDescriptor.parse("[project]\nid = \"x\"\n"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            [io.buildpacks                                                         | project.toml: the file is not valid TOML (line 1
            [_]\\nschema-version = "0.9"                                            | project.toml: _.schema-version '0.9' is not supported
            [_]\\nid = "x"                                                          | project.toml: _.schema-version is missing
            [_]\\nschema-version = "0.2"\\n[io.buildpacks]\\nbuidler = "x"           | project.toml: io.buildpacks.buidler is not a known key
            [_]\\nschema-version = "0.2"\\n[io.buildpacks]\\ninclude = ["a"]\\nexclude = ["b"] | project.toml: io.buildpacks.include and io.buildpacks.exclude are both set
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.build.env]]\\nvalue = "x"  | project.toml: io.buildpacks.build.env[0].name is missing
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.build.env]]\\nname = "A"\\nvalue = 3 | project.toml: io.buildpacks.build.env[0].value must be a string
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.build.env]]\\nname = "1A"\\nvalue = "x" | project.toml: io.buildpacks.build.env[0].name '1A' is not a valid variable name
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.build.env]]\\nname = "CNB_X"\\nvalue = "x" | project.toml: io.buildpacks.build.env[0].name names a CNB_* variable
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nversion = "1"   | project.toml: io.buildpacks.group[0].id is missing
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nuri = "urn:cnb:registry:a/b/c@1" | project.toml: io.buildpacks.group[0].uri 'urn:cnb:registry:a/b/c@1' is not a valid buildpack registry reference (urn:cnb:registry:<namespace>/<name>[@<version>]): it must name <namespace>/<name>, with exactly one '/'
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nuri = "urn:cnb:registry:a/b"\\nid = "a/c" | project.toml: io.buildpacks.group[0].id does not match the buildpack the uri names
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nuri = "docker://R B" | project.toml: io.buildpacks.group[0].uri 'docker://R B' is not a valid image reference
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nuri = "docker://r/bp:1"\\nid = "x" | project.toml: io.buildpacks.group[0].id cannot be set beside a docker:// uri
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nid = "a"\\nscript = {api = "0.10"} | project.toml: io.buildpacks.group[0].script is an inline buildpack
            [_]\\nschema-version = "0.2"\\n[io.buildpacks]\\nbuilder = 5             | project.toml: io.buildpacks.builder must be a non-empty string
            [_]\\nschema-version = "0.2"\\n[io.buildpacks]\\nexclude = "a"           | project.toml: io.buildpacks.exclude must be an array
            [_]\\nschema-version = "0.2"\\n[io.buildpacks.pre]\\nbuildpacks = []     | project.toml: io.buildpacks.pre.buildpacks is not a known key
            [_]\\nschema-version = "0.2"\\n[[io.buildpacks.group]]\\nid = "bad id"   | project.toml: io.buildpacks.group[0] is not a buildpack of the builder
            [build]\\nbuildpacks = "x"                                              | project.toml: build.buildpacks must be an array of tables
            [build]\\nunknown = 1                                                   | project.toml: build.unknown is not a known key
            """)
    void malformedDescriptorsNameTheKey(String toml, String sentence) {
        ProjectDescriptorException e = assertThrows(
                ProjectDescriptorException.class, () -> ProjectDescriptor.parse(toml.replace("\\n", "\n")));
        assertTrue(e.getMessage().startsWith(sentence.strip()), e.getMessage());
    }

    @Test
    void excludeFollowsGitignoreAndKeepsTheDescriptor() {
        SourceFilter f = SourceFilter.exclude(List.of("*.log", "build/", "!keep.log", "project.toml", "/top.txt"));
        assertFalse(f.keeps("a/b/x.log", false));
        assertTrue(f.keeps("keep.log", false));
        assertFalse(f.keeps("build", true));
        assertFalse(f.keeps("./build/", true));
        assertFalse(f.keeps("build/inner/file.txt", false));
        assertTrue(f.skipsTree("build"));
        assertTrue(f.keeps("src/build.txt", false));
        assertTrue(f.keeps("./project.toml", false));
        assertFalse(f.keeps("top.txt", false));
        assertTrue(f.keeps("sub/top.txt", false));
        assertTrue(f.keeps(".", true));
    }

    @Test
    void includeKeepsOnlyWhatMatches() {
        SourceFilter f = SourceFilter.include(List.of("src/", "*.json"));
        assertTrue(f.keeps("src", true));
        assertTrue(f.keeps("src/main/App.java", false));
        assertTrue(f.keeps("deep/package.json", false));
        assertFalse(f.keeps("README.md", false));
        assertFalse(f.keeps("docs", true));
        assertFalse(f.skipsTree("docs"));
        assertTrue(f.keeps("project.toml", false));
    }
}
