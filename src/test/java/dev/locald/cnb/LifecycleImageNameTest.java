package dev.locald.cnb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LifecycleImageNameTest {

    @Test
    void theBuildersLifecycleVersionFillsThePlaceholder() {
        assertEquals(
                "docker.io/buildpacksio/lifecycle:0.21.17",
                BuilderInspection.lifecycleImageName("docker.io/buildpacksio/lifecycle:{version}", "0.21.17"));
        assertEquals(
                "registry.example/mirror/lifecycle:0.20.1-linux",
                BuilderInspection.lifecycleImageName("registry.example/mirror/lifecycle:{version}-linux", "0.20.1"));
    }

    @Test
    void aFixedReferenceIsKeptAndAMissingVersionLeavesThePlaceholderForTheSentence() {
        assertEquals(
                "registry.example/lifecycle:0.20",
                BuilderInspection.lifecycleImageName("registry.example/lifecycle:0.20", "0.21.17"));
        assertEquals(
                "docker.io/buildpacksio/lifecycle:{version}",
                BuilderInspection.lifecycleImageName("docker.io/buildpacksio/lifecycle:{version}", ""));
    }
}
