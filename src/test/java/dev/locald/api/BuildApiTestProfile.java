package dev.locald.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;
import java.util.Set;

/**
 * Small limits so that the API tests can reach them cheaply; one worker, a queue of two; and the
 * scripted executor in place of the real one, so these tests exercise the service around it.
 */
public class BuildApiTestProfile implements QuarkusTestProfile {
    static final String DATA_DIR = "target/locald-api-test";

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ScriptedBuildExecutor.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("locald.data-dir", DATA_DIR),
                Map.entry("locald.builds.max-concurrent", "1"),
                Map.entry("locald.builds.queue-capacity", "2"),
                Map.entry("locald.builds.max-source-bytes", "1048576"),
                Map.entry("locald.builds.max-request-bytes", "65536"),
                Map.entry("locald.builds.allow-source-path", "true"),
                Map.entry("locald.builds.cancel-grace", "PT3S"),
                Map.entry("locald.builds.max-timeout", "PT1H"),
                Map.entry("locald.builds.log-memory-lines", "50"),
                Map.entry("locald.builds.retry-after", "PT7S"),
                Map.entry("quarkus.http.limits.max-body-size", "2M"));
    }
}
