package dev.locald.etc;

import java.util.Arrays;
import java.util.List;

/** The field rules shared by passwd and group files (colon-separated, one entry per line). */
final class UserDatabaseText {

    static final long MAX_ID = 4_294_967_294L;

    private UserDatabaseText() {
    }

    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return Arrays.asList(body.split("\n", -1));
    }

    static boolean isBlankOrComment(String line) {
        return line.isBlank() || line.startsWith("#");
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
        if (name == null || name.isEmpty() || name.length() > 256 || name.startsWith("+") || name.startsWith("-")
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
