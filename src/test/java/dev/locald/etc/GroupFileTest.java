package dev.locald.etc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.locald.image.CnbUser;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupFileTest {

    static final CnbUser CNB = new CnbUser(1001, 1002);

    @Test
    void validFileIsKeptAndMissingGroupsAdded() {
        String image = "daemon:x:1:\nusers:x:100:alice,bob\n";
        GroupFile file = GroupFile.parse(image).orElseThrow().withBuildGroups(CNB, "cnb");
        assertEquals(image + "root:x:0:\ncnb:x:1002:\n", file.render());
        assertEquals(List.of("alice", "bob"), file.byGid(100).orElseThrow().members());
    }

    @Test
    void existingGidIsKeptAndTakenNameGetsTheGid() {
        assertEquals(
                "root:x:0:\nbuilders:x:1002:\n",
                GroupFile.parse("root:x:0:\nbuilders:x:1002:\n")
                        .orElseThrow()
                        .withBuildGroups(CNB, "cnb")
                        .render());
        assertEquals(
                "cnb-1002",
                GroupFile.parse("cnb:x:1000:\n")
                        .orElseThrow()
                        .withBuildGroups(CNB, "cnb")
                        .byGid(1002)
                        .orElseThrow()
                        .name());
    }

    @Test
    void malformedFilesAreRefusedWhole() {
        for (String bad : new String[] {"root:x:0\n", "root:x:a:\n", "root:x:0::\n", "root:x:0:a b\n", "+:::\n"}) {
            assertEquals(Optional.empty(), GroupFile.parse(bad), bad);
        }
    }
}
