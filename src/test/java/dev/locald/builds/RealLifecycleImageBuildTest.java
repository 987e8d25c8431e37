package dev.locald.builds;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The {@link LifecycleImageBuildTest} scenario with the real lifecycle (built by {@code scripts/real-cnb/tools.sh})
 * in the fixture builders and the lifecycle image. Skips without Go outside CI, fails under CI.
 */
@QuarkusTest
@TestProfile(RealLifecycleImageBuildTest.Profile.class)
class RealLifecycleImageBuildTest extends LifecycleImageBuildTest {

    public static class Profile extends LifecycleImageBuildTest.Profile {
        public Profile() {
            super("target/locald-e2e-lifecycle-real", "real");
        }
    }
}
