package dev.locald.etc;

import dev.locald.image.CnbUser;
import java.util.List;
import java.util.Optional;

/**
 * An {@code /etc/group}: the image's lines kept verbatim when every line is valid, with the groups a
 * build needs added (root and the CNB user's group). Any malformed line makes {@link #parse} refuse
 * the whole file.
 */
public final class GroupFile {

    /** One {@code name:password:gid:member,member} line. */
    public record Entry(String name, String password, long gid, List<String> members)
            implements UserDatabaseText.Entry {
        public Entry {
            UserDatabaseText.requireName(name);
            UserDatabaseText.requireField(password);
            UserDatabaseText.requireId(gid, "gid");
            members = List.copyOf(members);
            members.forEach(UserDatabaseText::requireName);
        }

        @Override
        public String line() {
            return String.join(":", name, password, Long.toString(gid), String.join(",", members));
        }
    }

    private final UserDatabaseText<Entry> text;

    private GroupFile(UserDatabaseText<Entry> text) {
        this.text = text;
    }

    public static GroupFile empty() {
        return new GroupFile(UserDatabaseText.empty());
    }

    /** Parses the text of a group file; empty when any line is not a valid entry. */
    public static Optional<GroupFile> parse(String text) {
        return UserDatabaseText.<Entry>parse(
                        text,
                        4,
                        f -> new Entry(
                                f[0],
                                f[1],
                                UserDatabaseText.parseId(f[2]),
                                f[3].isEmpty() ? List.of() : List.of(f[3].split(",", -1))))
                .map(GroupFile::new);
    }

    Optional<Entry> byGid(long gid) {
        return text.find(e -> e.gid() == gid);
    }

    /**
     * This file with group 0 when missing and the CNB user's group when its gid is missing (called
     * {@code name}, or {@code <name>-<gid>} when that name belongs to another gid).
     */
    public GroupFile withBuildGroups(CnbUser user, String name) {
        UserDatabaseText<Entry> result = text;
        if (result.find(e -> e.gid() == 0).isEmpty()) {
            result = result.with(new Entry(result.byName("root").isPresent() ? "root-0" : "root", "x", 0, List.of()));
        }
        if (result.find(e -> e.gid() == user.gid()).isEmpty()) {
            String free = result.byName(name).isPresent() ? name + "-" + user.gid() : name;
            result = result.with(new Entry(free, "x", user.gid(), List.of()));
        }
        return new GroupFile(result);
    }

    public String render() {
        return text.render();
    }
}
