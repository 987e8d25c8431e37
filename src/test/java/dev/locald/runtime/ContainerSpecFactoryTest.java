package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.etc.GroupFile;
import dev.locald.etc.HomeMount;
import dev.locald.etc.PasswdFile;
import dev.locald.etc.PreparedRoot;
import dev.locald.etc.SyntheticFile;
import dev.locald.image.CnbUser;
import dev.locald.image.NetworkMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.skyscreamer.jsonassert.JSONAssert;
import org.skyscreamer.jsonassert.JSONCompareMode;

/**
 * Golden files: one expected config.json per variant, compared strictly (same keys, same array order).
 * Regenerate a file with {@code -Dgolden.update=true} and review the diff before committing it.
 */
class ContainerSpecFactoryTest {

    private static final CnbUser CNB = new CnbUser(1001, 1002);
    // without seccomp: the goldens show the rest of the spec; seccompIsTheBuiltInProfileByDefault checks that part
    private static final ContainerSpecFactory FACTORY =
            new ContainerSpecFactory(20000, "locald", Optional.empty(), RunMode.root());

    private static PreparedRoot preparedRoot(boolean homeMount) {
        PasswdFile passwd = PasswdFile.parse("root:x:0:0:root:/root:/bin/sh\n")
                .orElseThrow()
                .withBuildUsers(CNB, "cnb", "/home/cnb");
        GroupFile group = GroupFile.parse("root:x:0:\n").orElseThrow().withBuildGroups(CNB, "cnb");
        List<SyntheticFile> files = new ArrayList<>();
        for (String name : List.of("passwd", "group", "resolv.conf", "hosts", "hostname")) {
            files.add(new SyntheticFile(Path.of("/var/lib/locald/bundles/build-1-detect/etc/" + name), "/etc/" + name));
        }
        return new PreparedRoot(
                files,
                passwd,
                group,
                homeMount ? Optional.of(new HomeMount("/home/cnb", 1001, 1002)) : Optional.empty());
    }

    private static ContainerRequest.Builder request() {
        return ContainerRequest.builder("build-1-detect", Path.of("/var/lib/locald/rootfs/build-1-detect/merged"), CNB)
                .args("/cnb/lifecycle/detector", "-app", "/workspace")
                .env("CNB_PLATFORM_API=0.12")
                .cwd("/workspace")
                .additionalGids(List.of(1002L))
                .hostname("build-1")
                .mount(new BindMount(Path.of("/var/lib/locald/builds/1/workspace"), "/workspace", false))
                .mount(new BindMount(Path.of("/var/lib/locald/builds/1/platform"), "/platform", true))
                .timeout(Duration.ofMinutes(10));
    }

    @Test
    void isolatedNetworkWithoutLimits() throws Exception {
        assertGolden("isolated-network.json", FACTORY.create(request().build(), preparedRoot(true)));
    }

    @Test
    void hostNetwork() throws Exception {
        assertGolden(
                "host-network.json",
                FACTORY.create(request().network(NetworkMode.HOST).build(), preparedRoot(false)));
    }

    @Test
    void seccompIsTheBuiltInProfileByDefault() {
        RuntimeSpec withDefault =
                new ContainerSpecFactory(20000, "locald").create(request().build(), preparedRoot(true));
        assertEquals(
                SeccompProfile.builtIn().linuxSeccomp(), withDefault.linux().seccomp());
        assertEquals(
                FACTORY.create(request().build(), preparedRoot(true)).process(),
                withDefault.process(),
                "seccomp changes nothing else");
        assertEquals(
                null,
                FACTORY.create(request().build(), preparedRoot(true)).linux().seccomp());
    }

    @Test
    void withLimits() throws Exception {
        ResourceLimits limits = ResourceLimits.none()
                .withMemoryBytes(512L * 1024 * 1024)
                .withPids(256)
                .withCpus(1.5);
        assertGolden("with-limits.json", FACTORY.create(request().limits(limits).build(), preparedRoot(false)));
    }

    @Test
    void rootlessHasNoCgroupButThePidsLimitAsAnRlimitAndBindsSysOnTheHostNetwork() {
        ContainerSpecFactory rootless =
                new ContainerSpecFactory(20000, "locald", Optional.empty(), new RunMode(true, 0, 65536));
        ResourceLimits limits = ResourceLimits.none()
                .withMemoryBytes(512L * 1024 * 1024)
                .withPids(256)
                .withCpus(1.5);
        RuntimeSpec spec = rootless.create(
                request().limits(limits).network(NetworkMode.HOST).build(), preparedRoot(false));
        assertNull(spec.linux().cgroupsPath());
        assertEquals(
                new RuntimeSpec.Resources(List.of(), null, null, null),
                spec.linux().resources());
        assertTrue(spec.process().rlimits().contains(new RuntimeSpec.Rlimit("RLIMIT_NPROC", 256, 256)));
        RuntimeSpec.Mount sys = spec.mounts().stream()
                .filter(m -> m.destination().equals("/sys"))
                .findFirst()
                .orElseThrow();
        assertEquals("bind", sys.type());
        assertEquals("/sys", sys.source());
        assertTrue(sys.options().contains("ro"));
        assertEquals(6, spec.linux().devices().size());

        RuntimeSpec isolated = rootless.create(request().limits(limits).build(), preparedRoot(false));
        assertEquals(
                "sysfs",
                isolated.mounts().stream()
                        .filter(m -> m.destination().equals("/sys"))
                        .findFirst()
                        .orElseThrow()
                        .type());
    }

    @Test
    void withTerminal() throws Exception {
        assertGolden(
                "with-terminal.json", FACTORY.create(request().terminal(true).build(), preparedRoot(false)));
    }

    /** /tmp bound from a host directory (lifecycle phases) instead of the tmpfs, same place in the mount table. */
    @Test
    void diskBackedTmp() throws Exception {
        assertGolden(
                "disk-tmp.json",
                FACTORY.create(
                        request()
                                .diskTmp(Path.of("/var/lib/locald/work/1/tmp-detector"))
                                .build(),
                        preparedRoot(false)));
    }

    @Test
    void rootProcessWithImagePathAndCallerOverrides() throws Exception {
        ContainerRequest request = EngineFixture.runAs(
                request()
                        .additionalGids(List.of())
                        .imagePath("/cnb/bin:/usr/bin:/bin")
                        .env("HOME=/custom")
                        .readonlyRootfs(true)
                        .build(),
                0,
                0);
        assertGolden("root-process.json", FACTORY.create(request, preparedRoot(false)));
    }

    @Test
    void callerVariablesReplaceDefaultsInPlaceAndTermOnlyWithTerminal() {
        RuntimeSpec spec = FACTORY.create(request().env("PATH=/only").build(), preparedRoot(false));
        assertEquals(
                List.of("PATH=/only", "HOME=/home/cnb", "CNB_PLATFORM_API=0.12"),
                spec.process().env());
        assertFalse(spec.process().env().stream().anyMatch(e -> e.startsWith("TERM=")));
        RuntimeSpec withTerminal = FACTORY.create(request().terminal(true).build(), preparedRoot(false));
        assertTrue(withTerminal.process().env().contains("TERM=xterm"));
        assertFalse(withTerminal.mounts().stream().anyMatch(m -> m.destination().equals("/dev/console")));
    }

    @Test
    void nonRootProcessHasNoCapabilitiesAtAll() {
        RuntimeSpec.Capabilities caps =
                FACTORY.create(request().build(), preparedRoot(false)).process().capabilities();
        assertEquals(List.of(), caps.bounding());
        assertEquals(List.of(), caps.effective());
        assertEquals(List.of(), caps.permitted());
        assertEquals(List.of(), caps.inheritable());
        assertEquals(List.of(), caps.ambient());
    }

    private static void assertGolden(String name, RuntimeSpec spec) throws IOException {
        String actual = Bundle.toJson(spec);
        Path source = Path.of("src/test/resources/dev/locald/runtime/golden", name);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(source, actual + "\n");
        }
        try (InputStream expected = ContainerSpecFactoryTest.class.getResourceAsStream("golden/" + name)) {
            if (expected == null) {
                throw new AssertionError("golden file missing: " + source + " (generate with -Dgolden.update=true)");
            }
            JSONAssert.assertEquals(
                    new String(expected.readAllBytes(), StandardCharsets.UTF_8), actual, JSONCompareMode.STRICT);
        } catch (org.json.JSONException e) {
            throw new AssertionError(e);
        }
    }
}
