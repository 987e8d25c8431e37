package dev.locald.builds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.config.ByteSize;
import dev.locald.json.Json;
import org.junit.jupiter.api.Test;

class BuildResourcesTest {

    private static final BuildResources CONFIGURED =
            new BuildResources(ByteSize.parse("4G"), null, 4096L, ByteSize.parse("20G"));

    @Test
    void whatIsNotAskedForIsTheConfiguredLimit() {
        assertEquals(CONFIGURED, BuildResources.DEFAULT.within(CONFIGURED));
        assertEquals(
                new BuildResources(ByteSize.parse("256M"), 1.5, 4096L, ByteSize.parse("20G")),
                new BuildResources(ByteSize.parse("256M"), 1.5, null, null).within(CONFIGURED));
    }

    @Test
    void whatIsAskedForIsHeldToTheConfiguredLimit() {
        // the API refuses more, but the configuration may have been lowered since the build was queued
        BuildResources asked = new BuildResources(ByteSize.parse("8G"), 3.0, 10_000L, ByteSize.parse("1T"));
        assertEquals(
                new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G")),
                asked.within(new BuildResources(ByteSize.parse("4G"), 2.0, 4096L, ByteSize.parse("20G"))));
    }

    @Test
    void isKeptInTheBuildRecordAsAsked() throws Exception {
        BuildResources asked = new BuildResources(ByteSize.parse("2G"), 1.5, null, null);
        String json = Json.RECORDS.writeValueAsString(asked);
        assertEquals("{\"memory\":\"2 GiB\",\"cpus\":1.5}", json);
        assertEquals(asked, Json.RECORDS.readValue(json, BuildResources.class));
        assertEquals(BuildResources.DEFAULT, Json.RECORDS.readValue("{}", BuildResources.class));
    }
}
