package dev.locald.etc;

import dev.locald.image.CnbUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An {@code /etc/passwd}: the image's lines kept verbatim when every line is valid, with entries added
 * for what a build needs (root and the CNB user). {@link #parse} refuses the whole file when any line is
 * malformed, so that a half-understood file is replaced rather than patched.
 */
public final class PasswdFile {

    /** One {@code name:password:uid:gid:gecos:home:shell} line. */
    public record Entry(String name, String password, long uid, long gid, String gecos, String home, String shell) {
        public Entry {
            UserDatabaseText.requireName(name);
            UserDatabaseText.requireId(uid, "uid");
            UserDatabaseText.requireId(gid, "gid");
            for (String field : List.of(password, gecos, home, shell)) {
                UserDatabaseText.requireField(field);
            }
        }

        String line() {
            return String.join(":", name, password, Long.toString(uid), Long.toString(gid), gecos, home, shell);
        }
    }

    private final List<String> lines;
    private final List<Entry> entries;

    private PasswdFile(List<String> lines, List<Entry> entries) {
        this.lines = List.copyOf(lines);
        this.entries = List.copyOf(entries);
    }

    public static PasswdFile empty() {
        return new PasswdFile(List.of(), List.of());
    }

    /** Parses the text of a passwd file; empty when any line is not a valid entry. */
    public static Optional<PasswdFile> parse(String text) {
        List<String> lines = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (String line : UserDatabaseText.lines(text)) {
            lines.add(line);
            if (UserDatabaseText.isBlankOrComment(line)) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length != 7) {
                return Optional.empty();
            }
            try {
                entries.add(new Entry(fields[0], fields[1], UserDatabaseText.parseId(fields[2]),
                        UserDatabaseText.parseId(fields[3]), fields[4], fields[5], fields[6]));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new PasswdFile(lines, entries));
    }

    public List<Entry> entries() {
        return entries;
    }

    public Optional<Entry> byUid(long uid) {
        return entries.stream().filter(e -> e.uid() == uid).findFirst();
    }

    public Optional<Entry> byName(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** This file with {@code entry} appended. */
    public PasswdFile with(Entry entry) {
        List<String> newLines = new ArrayList<>(lines);
        newLines.add(entry.line());
        List<Entry> newEntries = new ArrayList<>(entries);
        newEntries.add(entry);
        return new PasswdFile(newLines, newEntries);
    }

    /**
     * This file with a root entry when uid 0 has none, and the CNB user ({@code name}, {@code home}) when
     * its uid has none. An existing entry for the CNB uid is kept as the image defines it (its name and home
     * win); when the wanted name is taken by another uid the added user is called {@code <name>-<uid>}.
     */
    public PasswdFile withBuildUsers(CnbUser user, String name, String home) {
        PasswdFile result = this;
        if (result.byUid(0).isEmpty()) {
            String root = result.byName("root").isPresent() ? "root-0" : "root";
            result = result.with(new Entry(root, "x", 0, 0, "root", "/root", "/bin/sh"));
        }
        if (result.byUid(user.uid()).isEmpty()) {
            String free = result.byName(name).isPresent() ? name + "-" + user.uid() : name;
            result = result.with(new Entry(free, "x", user.uid(), user.gid(), "", home, "/bin/sh"));
        }
        return result;
    }

    public String render() {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }
}
