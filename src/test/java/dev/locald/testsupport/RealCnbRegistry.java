package dev.locald.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The test resource of a {@code @QuarkusTest} profile that builds with the real lifecycle: a registry holding
 * what {@link RealCnb#publish} puts there, with {@code locald.lifecycle.image} pointing at its lifecycle image.
 * One profile runs at a time, so the fields name the running profile's registry.
 */
public class RealCnbRegistry implements QuarkusTestResourceLifecycleManager {

    public static TestRegistry registry;
    public static RealCnb.Images images;

    @Override
    public Map<String, String> start() {
        registry = TestRegistry.start();
        images = RealCnb.publish(registry);
        return Map.of("locald.lifecycle.image", images.tag("lifecycle"));
    }

    @Override
    public void stop() {
        if (registry != null) {
            registry.close();
        }
    }
}
