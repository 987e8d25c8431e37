package dev.locald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locald.builds.BuildResources;
import dev.locald.config.ByteSize;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A request's {@code resources}: each limit optional, well-formed and within the configured one, or a 400 naming it. */
class ResourcesRequestTest {

    private static final BuildResources CONFIGURED =
            new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G"));
    private static final BuildRequestParser PARSER = new BuildRequestParser(
            Duration.ofHours(1),
            false,
            Path.of("target/no-data-dir"),
            true,
            CONFIGURED,
            dev.locald.image.NetworkMode.ISOLATED);

    private static BuildResources parse(String resources) {
        String json = "{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/b:1\"" + ",\"resources\":"
                + resources + "}";
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART)
                .request()
                .resources();
    }

    private static FieldError refused(String resources) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(resources));
        assertEquals(400, e.problem().status());
        assertEquals(1, e.problem().errors().size(), e.problem().errors().toString());
        return e.problem().errors().get(0);
    }

    @Test
    void limitsWithinTheConfiguredOnesAreKeptAsAsked() {
        assertEquals(
                new BuildResources(ByteSize.parse("2G"), 1.5, 512L, ByteSize.parse("5G")),
                parse("{\"memory\":\"2G\",\"cpus\":1.5,\"pids\":512,\"disk\":\"5G\"}"));
        assertEquals(new BuildResources(new ByteSize(268435456), null, null, null), parse("{\"memory\":268435456}"));
        assertEquals(BuildResources.DEFAULT, parse("{}"));
        assertEquals(BuildResources.DEFAULT, parse("null"));
        assertEquals(
                new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G")),
                parse("{\"memory\":\"4GiB\",\"cpus\":2,\"pids\":4096,\"disk\":\"20G\"}"));
    }

    @Test
    void aboveTheConfiguredLimitsIsRefusedNamingTheKey() {
        assertEquals(
                new FieldError("resources.memory", "must be at most 4 GiB (locald.builds.limits.memory)"),
                refused("{\"memory\":\"5G\"}"));
        assertEquals(
                new FieldError("resources.cpus", "must be at most 2.0 (locald.builds.limits.cpus)"),
                refused("{\"cpus\":2.5}"));
        assertEquals(
                new FieldError("resources.pids", "must be at most 4096 (locald.builds.limits.pids)"),
                refused("{\"pids\":4097}"));
        assertEquals(
                new FieldError("resources.disk", "must be at most 20 GiB (locald.builds.limits.disk)"),
                refused("{\"disk\":\"21G\"}"));
    }

    @Test
    void withoutAConfiguredCpuLimitTheHostsCoresAreTheCeiling() {
        BuildRequestParser parser = new BuildRequestParser(
                Duration.ofHours(1),
                false,
                Path.of("target/no-data-dir"),
                true,
                new BuildResources(ByteSize.parse("4G"), null, 4096L, ByteSize.parse("20G")),
                dev.locald.image.NetworkMode.ISOLATED);
        int cores = Runtime.getRuntime().availableProcessors();
        String json = "{\"image\":\"localhost:5000/a\",\"builder\":\"localhost:5000/b:1\",\"resources\":{\"cpus\":"
                + (cores + 1) + "}}";
        ProblemException e = assertThrows(
                ProblemException.class,
                () -> parser.parse(json.getBytes(StandardCharsets.UTF_8), BuildRequestParser.Mode.MULTIPART));
        assertEquals(
                new FieldError("resources.cpus", "must be at most " + (double) cores + " (the host's cores)"),
                e.problem().errors().get(0));
    }

    @Test
    void malformedLimitsAreRefusedNamingTheField() {
        assertEquals("resources", refused("\"2G\"").field());
        assertEquals(
                new FieldError(
                        "resources.memory",
                        "'lots' is not a size: write bytes, or a number with K, M, G or T (powers of 1024), e.g. 512M or 4GiB"),
                refused("{\"memory\":\"lots\"}"));
        assertEquals(new FieldError("resources.memory", "must be at least 4 MiB"), refused("{\"memory\":\"1M\"}"));
        assertEquals("resources.memory", refused("{\"memory\":true}").field());
        assertEquals("resources.memory", refused("{\"memory\":-5}").field());
        assertEquals(
                new FieldError("resources.cpus", "must be a number of CPUs such as 1.5"), refused("{\"cpus\":\"1\"}"));
        assertEquals(new FieldError("resources.cpus", "must be at least 0.01"), refused("{\"cpus\":0}"));
        assertEquals(
                new FieldError("resources.pids", "must be a whole number of processes, at least 1"),
                refused("{\"pids\":1.5}"));
        assertEquals("resources.pids", refused("{\"pids\":0}").field());
        assertEquals("resources.disk", refused("{\"disk\":\"1K\"}").field());
        assertEquals(
                new FieldError("resources.gpus", "is not a known resource (memory, cpus, pids, disk)"),
                refused("{\"gpus\":1}"));
    }
}
