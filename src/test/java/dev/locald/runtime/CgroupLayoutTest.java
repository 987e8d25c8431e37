package dev.locald.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupLayoutTest {

    static final String CGROUP = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n";
    static final String MOUNTINFO = String.join(
            "\n",
            "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
            "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "");

    @Test
    void relativePathsLiveBelowTheProcessesOwnCgroupInEveryHierarchy() {
        CgroupLayout layout = CgroupLayout.parse(CGROUP, MOUNTINFO);
        assertEquals(
                List.of(
                        Path.of("/sys/fs/cgroup/systemd/locald/c1"),
                        Path.of("/sys/fs/cgroup/pids/locald/c1"),
                        Path.of("/sys/fs/cgroup/memory/process_api/abc/locald/c1"),
                        Path.of("/sys/fs/cgroup/cpu,cpuacct/locald/c1"),
                        Path.of("/sys/fs/cgroup/unified/locald/c1")),
                layout.dirs("locald/c1"));
        assertEquals(
                Path.of("/sys/fs/cgroup/memory/process_api/abc/locald/c1"),
                layout.memoryDir("locald/c1").orElseThrow());
    }

    @Test
    void aMountOfASubtreeIsTakenIntoAccount() {
        CgroupLayout layout = CgroupLayout.parse(
                "4:memory:/process_api/abc\n",
                "34 30 0:31 /process_api /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        assertEquals(List.of(Path.of("/sys/fs/cgroup/memory/abc/x")), layout.dirs("x"));
    }
}
