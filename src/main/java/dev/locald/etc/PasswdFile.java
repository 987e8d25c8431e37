package dev.locald.etc;

import dev.locald.image.CnbUser;
import java.util.List;
import java.util.Optional;

/**
 * An {@code /etc/passwd}: the image's lines kept verbatim when every line is valid, with entries added
 * for what a build needs (root and the CNB user). {@link #parse} refuses the whole file when any line is
 * malformed, so that a half-understood file is replaced rather than patched.
 */
public final class PasswdFile {

    /** One {@code name:password:uid:gid:gecos:home:shell} line. */
    public record Entry(String name, String password, long uid, long gid, String gecos, String home, String shell)
            implements UserDatabaseText.Entry {
        public Entry {
            UserDatabaseText.requireName(name);
            UserDatabaseText.requireId(uid, "uid");
            UserDatabaseText.requireId(gid, "gid");
            for (String field : List.of(password, gecos, home, shell)) {
                UserDatabaseText.requireField(field);
            }
        }

        @Override
        public String line() {
            return String.join(":", name, password, Long.toString(uid), Long.toString(gid), gecos, home, shell);
        }
    }

    private final UserDatabaseText<Entry> text;

    private PasswdFile(UserDatabaseText<Entry> text) {
        this.text = text;
    }

    public static PasswdFile empty() {
        return new PasswdFile(UserDatabaseText.empty());
    }

    /** Parses the text of a passwd file; empty when any line is not a valid entry. */
    public static Optional<PasswdFile> parse(String text) {
        return UserDatabaseText.parse(
                        text,
                        7,
                        f -> new Entry(
                                f[0],
                                f[1],
                                UserDatabaseText.parseId(f[2]),
                                UserDatabaseText.parseId(f[3]),
                                f[4],
                                f[5],
                                f[6]))
                .map(PasswdFile::new);
    }

    public Optional<Entry> byUid(long uid) {
        return text.find(e -> e.uid() == uid);
    }

    /**
     * This file with a root entry when uid 0 has none, and the CNB user ({@code name}, {@code home}) when
     * its uid has none. An existing entry for the CNB uid is kept as the image defines it (its name and home
     * win); when the wanted name is taken by another uid the added user is called {@code <name>-<uid>}.
     */
    public PasswdFile withBuildUsers(CnbUser user, String name, String home) {
        UserDatabaseText<Entry> result = text;
        if (result.find(e -> e.uid() == 0).isEmpty()) {
            String root = result.byName("root").isPresent() ? "root-0" : "root";
            result = result.with(new Entry(root, "x", 0, 0, "root", "/root", "/bin/sh"));
        }
        if (result.find(e -> e.uid() == user.uid()).isEmpty()) {
            String free = result.byName(name).isPresent() ? name + "-" + user.uid() : name;
            result = result.with(new Entry(free, "x", user.uid(), user.gid(), "", home, "/bin/sh"));
        }
        return new PasswdFile(result);
    }

    public String render() {
        return text.render();
    }
}
