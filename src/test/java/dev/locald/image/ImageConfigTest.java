package dev.locald.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageConfigTest {

    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesEveryField() {
        ImageConfig c = ImageConfig.parse(json("{'architecture':'amd64','os':'linux','config':{"
                + "'Env':['Z=1','PATH=/bin','A=x=y','Z=2'],'User':'1000:1000','WorkingDir':'/layers',"
                + "'Entrypoint':['/cnb/lifecycle/launcher'],'Cmd':['a','b'],"
                + "'Labels':{'z.last':'1','a.first':'2'}},"
                + "'rootfs':{'type':'layers','diff_ids':['" + D1 + "','" + D2 + "']},'history':[]}"));
        assertEquals(List.of("Z=1", "PATH=/bin", "A=x=y", "Z=2"), c.env(), "env order is kept");
        assertEquals("1000:1000", c.user());
        assertEquals("/layers", c.workingDir());
        assertEquals(List.of("/cnb/lifecycle/launcher"), c.entrypoint());
        assertEquals(List.of("a", "b"), c.cmd());
        assertEquals(List.of("z.last", "a.first"), List.copyOf(c.labels().keySet()), "label order is kept");
        assertEquals(List.of(Digest.parse(D1), Digest.parse(D2)), c.diffIds());
        assertEquals("linux", c.os());
        assertEquals("amd64", c.architecture());
        assertEquals(Optional.of("2"), EnvList.value(c.env(), "Z"), "the last entry wins");
        assertEquals(Optional.of("x=y"), EnvList.value(c.env(), "A"));
        assertEquals(Optional.empty(), EnvList.value(c.env(), "PAT"));
    }

    @Test
    void missingOptionalFieldsAreEmpty() {
        ImageConfig c = ImageConfig.parse(json("{'rootfs':{'type':'layers','diff_ids':[]}}"));
        assertEquals(List.of(), c.env());
        assertEquals("", c.user());
        assertEquals("", c.workingDir());
        assertTrue(c.labels().isEmpty());
        assertTrue(c.diffIds().isEmpty());
    }

    @Test
    void refusesMalformedConfigsNamingTheField() {
        assertMessage("{", "not valid JSON");
        assertMessage("[]", "not a JSON object");
        assertMessage("{'config':{}}", "rootfs");
        assertMessage("{'rootfs':{'type':'other'}}", "rootfs.type");
        assertMessage("{'rootfs':{'type':'layers','diff_ids':['md5:x']}}", "diff_ids");
        assertMessage("{'rootfs':{'type':'layers'},'config':{'Env':'A=1'}}", "config.Env");
        assertMessage("{'rootfs':{'type':'layers'},'config':{'Env':[1]}}", "config.Env");
        assertMessage("{'rootfs':{'type':'layers'},'config':{'User':5}}", "config.User");
        assertMessage("{'rootfs':{'type':'layers'},'config':{'Labels':{'a':1}}}", "label 'a'");
    }

    private static void assertMessage(String config, String fragment) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ImageConfig.parse(json(config)));
        assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should mention " + fragment);
    }

    /** Only clean absolute WorkingDirs outside /proc, /sys and /dev become a container's cwd (CVE-2024-21626). */
    @Test
    void unsafeWorkingDirsBecomeRoot() {
        for (String safe : List.of("/", "/layers", "/workspace/app", "/procfs", "/device", "/system/x")) {
            assertEquals(Optional.empty(), ImageConfig.workingDirProblem(safe), safe);
            assertEquals(safe, ImageConfig.containerWorkingDir(safe));
        }
        assertEquals("/layers", ImageConfig.containerWorkingDir("/layers/"));
        assertEquals("/", ImageConfig.containerWorkingDir(""));
        for (String unsafe : List.of(
                "/proc/self/fd/7",
                "/proc",
                "/sys/fs/cgroup",
                "/dev",
                "/dev/shm/",
                "workspace",
                "../x",
                "/a/../../proc",
                "/a/./b",
                "//proc",
                "/a//b",
                "/a\0b",
                "/a\nb")) {
            assertTrue(ImageConfig.workingDirProblem(unsafe).isPresent(), unsafe);
            assertEquals("/", ImageConfig.containerWorkingDir(unsafe), unsafe);
        }
        assertEquals(
                Optional.of("is inside /proc, which the runtime provides, not the image"),
                ImageConfig.workingDirProblem("/proc/self/fd/7"));
    }

    @Test
    void envEntriesAProcessCannotHoldAreNamed() {
        assertEquals(Optional.empty(), config("'A=1','PATH=/bin','EMPTY='").invalidEnvEntry());
        assertEquals(
                Optional.of("'A=1\\x0aB=2' contains a line break"),
                config("'A=1\\nB=2'").invalidEnvEntry());
        assertEquals(
                Optional.of("'A=\\x00' contains a NUL byte"),
                config("'A=\\u0000'").invalidEnvEntry());
        assertEquals(
                Optional.of("'NOEQUALS' is not NAME=value"),
                config("'NOEQUALS'").invalidEnvEntry());
        assertEquals(Optional.of("'=x' is not NAME=value"), config("'=x'").invalidEnvEntry());
        assertTrue(config("'A-B=1'").invalidEnvEntry().orElseThrow().startsWith("'A-B=1' has a name that is not"));
    }

    private static ImageConfig config(String env) {
        return ImageConfig.parse(json("{'config':{'Env':[" + env + "]},'rootfs':{'type':'layers','diff_ids':[]}}"));
    }
}
