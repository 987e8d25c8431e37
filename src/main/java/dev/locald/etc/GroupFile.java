package dev.locald.etc;

import dev.locald.image.CnbUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An {@code /etc/group}: the image's lines kept verbatim when every line is valid, with the groups a
 * build needs added (root and the CNB user's group). Any malformed line makes {@link #parse} refuse
 * the whole file.
 */
public final class GroupFile {

    /** One {@code name:password:gid:member,member} line. */
    public record Entry(String name, String password, long gid, List<String> members) {
        public Entry {
            UserDatabaseText.requireName(name);
            UserDatabaseText.requireField(password);
            UserDatabaseText.requireId(gid, "gid");
            members = List.copyOf(members);
            members.forEach(UserDatabaseText::requireName);
        }

        String line() {
            return String.join(":", name, password, Long.toString(gid), String.join(",", members));
        }
    }

    private final List<String> lines;
    private final List<Entry> entries;

    private GroupFile(List<String> lines, List<Entry> entries) {
        this.lines = List.copyOf(lines);
        this.entries = List.copyOf(entries);
    }

    public static GroupFile empty() {
        return new GroupFile(List.of(), List.of());
    }

    /** Parses the text of a group file; empty when any line is not a valid entry. */
    public static Optional<GroupFile> parse(String text) {
        List<String> lines = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (String line : UserDatabaseText.lines(text)) {
            lines.add(line);
            if (UserDatabaseText.isBlankOrComment(line)) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length != 4) {
                return Optional.empty();
            }
            try {
                List<String> members = fields[3].isEmpty() ? List.of() : List.of(fields[3].split(",", -1));
                entries.add(new Entry(fields[0], fields[1], UserDatabaseText.parseId(fields[2]), members));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new GroupFile(lines, entries));
    }

    public List<Entry> entries() {
        return entries;
    }

    public Optional<Entry> byGid(long gid) {
        return entries.stream().filter(e -> e.gid() == gid).findFirst();
    }

    public Optional<Entry> byName(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public GroupFile with(Entry entry) {
        List<String> newLines = new ArrayList<>(lines);
        newLines.add(entry.line());
        List<Entry> newEntries = new ArrayList<>(entries);
        newEntries.add(entry);
        return new GroupFile(newLines, newEntries);
    }

    /**
     * This file with group 0 when missing and the CNB user's group when its gid is missing (called
     * {@code name}, or {@code <name>-<gid>} when that name belongs to another gid).
     */
    public GroupFile withBuildGroups(CnbUser user, String name) {
        GroupFile result = this;
        if (result.byGid(0).isEmpty()) {
            result = result.with(new Entry(result.byName("root").isPresent() ? "root-0" : "root", "x", 0, List.of()));
        }
        if (result.byGid(user.gid()).isEmpty()) {
            String free = result.byName(name).isPresent() ? name + "-" + user.gid() : name;
            result = result.with(new Entry(free, "x", user.gid(), List.of()));
        }
        return result;
    }

    public String render() {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }
}
