package dev.locald.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.builds.BuildId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which mounts the janitor takes down, against a recorded mount table (the real one is exercised in JanitorSweepTest). */
class WorkMountsTest {

    private static final Path WORK = Path.of("/data/work");

    @Test
    void onlyMountsUnderWorkDirsOfBuildsThatAreNotRunningGoDeepestFirst() throws Exception {
        BuildId live = BuildId.random();
        BuildId dead = BuildId.random();
        RecordedTable table = new RecordedTable(List.of(
                Path.of("/"),
                Path.of("/data"),
                WORK,
                WORK.resolve(dead.value() + "/rootfs-1/m"),
                WORK.resolve(dead.value() + "/rootfs-1/m/proc"),
                WORK.resolve(dead.value() + "/rootfs-2/m"),
                WORK.resolve(dead.value() + "/rootfs-2/m"),
                WORK.resolve(live.value() + "/rootfs-1/m"),
                Path.of("/data/work-other/" + dead.value() + "/m"),
                WORK.resolve("not-a-build/m")));

        List<Path> unmounted = new WorkMounts(WORK, table).unmountOrphans(Set.of(live));

        assertEquals(
                List.of(
                        WORK.resolve(dead.value() + "/rootfs-1/m/proc"),
                        WORK.resolve(dead.value() + "/rootfs-1/m"),
                        WORK.resolve(dead.value() + "/rootfs-2/m"),
                        WORK.resolve(dead.value() + "/rootfs-2/m"),
                        WORK.resolve("not-a-build/m")),
                table.unmounted);
        assertEquals(table.unmounted, unmounted);
    }

    @Test
    void oneBuildsMountsOnly() throws Exception {
        BuildId a = BuildId.random();
        BuildId b = BuildId.random();
        RecordedTable table =
                new RecordedTable(List.of(WORK.resolve(a.value() + "/m"), WORK.resolve(b.value() + "/m")));
        new WorkMounts(WORK, table).unmountBuild(a);
        assertEquals(List.of(WORK.resolve(a.value() + "/m")), table.unmounted);
    }

    private static final class RecordedTable implements WorkMounts.MountTable {
        final List<Path> points;
        final List<Path> unmounted = new ArrayList<>();

        RecordedTable(List<Path> points) {
            this.points = points;
        }

        @Override
        public List<Path> mountPoints() {
            return points;
        }

        @Override
        public void unmount(Path point) {
            unmounted.add(point);
        }
    }
}
