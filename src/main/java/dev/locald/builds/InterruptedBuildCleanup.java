package dev.locald.builds;

/**
 * Cleans up what a build left behind when locald stopped while it ran (its containers, mounts, bundles).
 * Beans of this type are called once per such build at startup, after its record was marked FAILED and
 * before anything else runs.
 */
public interface InterruptedBuildCleanup {
    void cleanUp(Build interrupted) throws Exception;
}
