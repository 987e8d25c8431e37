package dev.locald.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.config.LocaldConfig;
import dev.locald.config.LocaldConfig.Rootfs.OverlayMode;
import dev.locald.layer.ExtractionLimits;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rootfs keys of {@link LocaldConfig}: defaults, and the values {@code locald.rootfs.overlay} accepts. */
class RootfsConfigTest {

    private static LocaldConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .addSystemSources()
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(LocaldConfig.class)
                .build();
        return config.getConfigMapping(LocaldConfig.class);
    }

    @Test
    void defaultsGiveAutoOverlayAndLimitsForExtraction() {
        LocaldConfig config = config(Map.of());
        assertEquals(OverlayMode.AUTO, config.rootfs().overlay());
        ExtractionLimits limits = ExtractionLimits.from(config.limits());
        assertEquals(new ExtractionLimits(17179869184L, 1_000_000, 1000, 4096, 8589934592L), limits);
    }

    @Test
    void overlayAcceptsTrueAndFalse() {
        assertEquals(
                OverlayMode.TRUE,
                config(Map.of("locald.rootfs.overlay", "true")).rootfs().overlay());
        assertEquals(
                OverlayMode.FALSE,
                config(Map.of("locald.rootfs.overlay", "false")).rootfs().overlay());
    }
}
