package dev.locald.etc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The text of a passwd- or group-style file (colon-separated, one entry per line): the image's lines kept
 * verbatim, the entries parsed from them, and entries appended; plus the field rules both files share.
 */
final class UserDatabaseText<E extends UserDatabaseText.Entry> {

    static final long MAX_ID = 4_294_967_294L;

    /** One parsed line. */
    interface Entry {
        String name();

        /** The line that represents this entry. */
        String line();
    }

    private final List<String> lines;
    private final List<E> entries;

    private UserDatabaseText(List<String> lines, List<E> entries) {
        this.lines = List.copyOf(lines);
        this.entries = List.copyOf(entries);
    }

    static <E extends Entry> UserDatabaseText<E> empty() {
        return new UserDatabaseText<>(List.of(), List.of());
    }

    /**
     * Parses {@code text}; empty when any line that is not blank or a comment does not have {@code fields}
     * fields or {@code entry} refuses them (throws {@link IllegalArgumentException}).
     */
    static <E extends Entry> Optional<UserDatabaseText<E>> parse(String text, int fields, Function<String[], E> entry) {
        List<String> lines = new ArrayList<>();
        List<E> entries = new ArrayList<>();
        for (String line : lines(text)) {
            lines.add(line);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] values = line.split(":", -1);
            if (values.length != fields) {
                return Optional.empty();
            }
            try {
                entries.add(entry.apply(values));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new UserDatabaseText<>(lines, entries));
    }

    Optional<E> find(Predicate<E> test) {
        return entries.stream().filter(test).findFirst();
    }

    Optional<E> byName(String name) {
        return find(e -> e.name().equals(name));
    }

    /** This text with {@code entry} appended. */
    UserDatabaseText<E> with(E entry) {
        List<String> newLines = new ArrayList<>(lines);
        newLines.add(entry.line());
        List<E> newEntries = new ArrayList<>(entries);
        newEntries.add(entry);
        return new UserDatabaseText<>(newLines, newEntries);
    }

    String render() {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    private static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return Arrays.asList(body.split("\n", -1));
    }

    static long parseId(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a numeric id: " + text);
        }
        return Long.parseLong(text);
    }

    static void requireId(long id, String what) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException(what + " out of range: " + id);
        }
    }

    /** Names: no separators, whitespace or control characters, and no NIS {@code +}/{@code -} markers. */
    static void requireName(String name) {
        if (name == null
                || name.isEmpty()
                || name.length() > 256
                || name.startsWith("+")
                || name.startsWith("-")
                || name.chars().anyMatch(c -> c == ':' || c == ',' || c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("invalid user or group name: " + name);
        }
    }

    static void requireField(String field) {
        if (field == null || field.chars().anyMatch(c -> c == ':' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException("invalid field: " + field);
        }
    }
}
