package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.ImageReference;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedBuildersTest {

    @Test
    void listedRepositoriesAreTrustedAtAnyTagOrDigest() {
        TrustedBuilders trusted = new TrustedBuilders(
                List.of("paketobuildpacks/builder-jammy-base:latest", " localhost:5000/fixture/builder "));
        assertTrue(
                trusted.isTrusted(ImageReference.parse("docker.io/paketobuildpacks/builder-jammy-base:0.4.1"), false));
        assertTrue(trusted.isTrusted(
                ImageReference.parse("index.docker.io/paketobuildpacks/builder-jammy-base@sha256:" + "a".repeat(64)),
                false));
        assertTrue(trusted.isTrusted(ImageReference.parse("localhost:5000/fixture/builder:v2"), false));
        assertFalse(
                trusted.isTrusted(ImageReference.parse("localhost:5001/fixture/builder"), false),
                "another registry is another repository");
        assertFalse(trusted.isTrusted(ImageReference.parse("paketobuildpacks/builder-jammy-base-evil"), false));
        assertTrue(trusted.isTrusted(ImageReference.parse("anything/else"), true), "the request may trust its builder");
        assertFalse(new TrustedBuilders(null).isTrusted(ImageReference.parse("x/y"), false));
    }

    @Test
    void noneTrustsNothingAndTheFlagNeverListsABuilder() {
        TrustedBuilders none = new TrustedBuilders(List.of(TrustedBuilders.NONE));
        assertFalse(none.isListed(ImageReference.parse("docker.io/library/none")));
        assertFalse(none.isTrusted(ImageReference.parse("paketobuildpacks/builder-jammy-base"), false));
        TrustedBuilders listed = new TrustedBuilders(List.of("heroku/builder"));
        assertTrue(listed.isListed(ImageReference.parse("heroku/builder:24")));
        assertFalse(listed.isListed(ImageReference.parse("heroku/builder-evil:24")));
    }
}
