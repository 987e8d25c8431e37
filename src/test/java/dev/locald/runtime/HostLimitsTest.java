package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HostLimitsTest {

    @Test
    void readsTheHardOpenFilesLimit() {
        String limits = "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max processes             95000                95000                processes \n"
                + "Max open files            1024                 20000                files     \n";
        assertEquals(OptionalLong.of(20000), HostLimits.parseOpenFilesHardLimit(limits));
        assertEquals(
                OptionalLong.empty(),
                HostLimits.parseOpenFilesHardLimit(
                        "Max open files            unlimited            unlimited            files     \n"));
    }

    @Test
    void theConfiguredLimitIsLoweredToTheHostsHardLimit() throws Exception {
        long hard = HostLimits.openFilesHardLimit().orElse(Long.MAX_VALUE);
        assertEquals(Math.min(hard, 1_048_576), HostLimits.openFilesFor(1_048_576));
        assertEquals(Math.min(hard, 100), HostLimits.openFilesFor(100));
    }
}
