package dev.locald.testsupport;

import dev.locald.api.ScriptedBuildExecutor;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;
import java.util.Set;

/**
 * The service with a data directory and cgroup parent of its own, for the operations tests (health,
 * janitor, metrics, OpenAPI). Its own cgroup parent matters: the startup sweep removes every cgroup under
 * the parent, and other locald processes on this machine use the default one. Builds run the API tests'
 * scripted executor (no registry, no runc), which is what the metrics of a build need.
 */
public class OpsTestProfile implements QuarkusTestProfile {

    public static final String DATA_DIR = "target/locald-ops-test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("locald.data-dir", DATA_DIR, "locald.runtime.cgroup-parent", "locald-ops-test");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ScriptedBuildExecutor.class);
    }
}
