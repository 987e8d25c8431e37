package dev.locald.etc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PasswdFileTest {

    static final CnbUser CNB = new CnbUser(1001, 1002);

    @Test
    void validFileIsKeptVerbatimAndMissingUsersAdded() {
        String image =
                "# comment\ndaemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\nnobody:x:65534:65534::/nonexistent:/bin/false\n";
        PasswdFile file = PasswdFile.parse(image).orElseThrow().withBuildUsers(CNB, "cnb", "/home/cnb");
        assertEquals(image + "root:x:0:0:root:/root:/bin/sh\ncnb:x:1001:1002::/home/cnb:/bin/sh\n", file.render());
    }

    @Test
    void existingEntriesForRootAndTheCnbUidAreKept() {
        String image = "root:x:0:0:Super:/var/root:/bin/ash\nbuilder:x:1001:1002::/workspace:/bin/sh\n";
        PasswdFile file = PasswdFile.parse(image).orElseThrow().withBuildUsers(CNB, "cnb", "/home/cnb");
        assertEquals(image, file.render());
        assertEquals("/workspace", file.byUid(1001).orElseThrow().home());
    }

    @Test
    void theCnbNameTakenByAnotherUidGetsTheUidAppended() {
        PasswdFile file = PasswdFile.parse("cnb:x:1000:1000::/home/cnb:/bin/sh\n")
                .orElseThrow()
                .withBuildUsers(CNB, "cnb", "/home/cnb");
        assertEquals("cnb-1001", file.byUid(1001).orElseThrow().name());
        assertEquals("cnb", file.byUid(1000).orElseThrow().name());
    }

    @Test
    void uidComesFromTheCnbUserNeverADefault() {
        PasswdFile file = PasswdFile.empty().withBuildUsers(new CnbUser(4242, 4343), "cnb", "/home/cnb");
        assertEquals("root:x:0:0:root:/root:/bin/sh\ncnb:x:4242:4343::/home/cnb:/bin/sh\n", file.render());
    }

    @Test
    void malformedFilesAreRefusedWhole() {
        for (String bad : new String[] {
            "root:x:0:0:root:/root\n", // 6 fields
            "root:x:zero:0:root:/root:/bin/sh\n", // uid not numeric
            "root:x:0:0:root:/root:/bin/sh:extra\n", // 8 fields
            "+::::::\n", // NIS include
            "ro ot:x:0:0:root:/root:/bin/sh\n", // whitespace in a name
            "root:x:99999999999:0:root:/root:/bin/sh\n", // uid out of range
            "root:x:-1:0:root:/root:/bin/sh\n"
        }) {
            assertEquals(Optional.empty(), PasswdFile.parse(bad), bad);
        }
    }

    @Test
    void emptyFileIsValidAndGetsBothUsers() {
        PasswdFile file = PasswdFile.parse("").orElseThrow().withBuildUsers(CNB, "cnb", "/home/cnb");
        assertTrue(file.byUid(0).isPresent() && file.byUid(1001).isPresent());
    }
}
