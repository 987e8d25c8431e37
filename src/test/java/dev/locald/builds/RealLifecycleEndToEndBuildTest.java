package dev.locald.builds;

import dev.locald.fixtures.FixtureImages;
import dev.locald.testsupport.RealCnb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The {@link EndToEndBuildTest} scenarios with the real lifecycle (built by {@code scripts/real-cnb/tools.sh}) in
 * the fixture builders: same buildpacks, order and labels. Skips without Go outside CI, fails under CI.
 */
@QuarkusTest
@TestProfile(RealLifecycleEndToEndBuildTest.Profile.class)
class RealLifecycleEndToEndBuildTest extends EndToEndBuildTest {

    public static class Profile extends EndToEndBuildTest.Profile {
        public Profile() {
            super("target/locald-e2e-real-lifecycle", "real");
        }
    }

    @Override
    FixtureImages.Lifecycle lifecycle() {
        return FixtureImages.Lifecycle.real(RealCnb.lifecycleDir());
    }
}
