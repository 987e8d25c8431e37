package dev.locald.runtime;

import dev.locald.cnb.BuildCaches;

/**
 * A deliberate layering violation, in the test tree only: engine code (this package) importing a CNB
 * package. {@code ArchitectureTest} checks that its rules refuse it.
 */
public final class LayeringViolation {

    public static Class<?> uses() {
        return BuildCaches.class;
    }

    private LayeringViolation() {}
}
