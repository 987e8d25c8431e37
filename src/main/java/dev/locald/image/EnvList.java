package dev.locald.image;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reading {@code NAME=value} environment lists (an OCI config's {@code Env}, a container's process env). */
public final class EnvList {

    /** A variable name a container's process env takes: POSIX shells' rule. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvList() {}

    /** Whether {@code name} can name a variable of a container's process env. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * What keeps {@code entry} out of a container's process env, empty when nothing does: no {@code =}, a
     * name that is not a variable name, a NUL or a line break.
     */
    public static Optional<String> problem(String entry) {
        if (entry.indexOf('\0') >= 0) {
            return Optional.of("contains a NUL byte");
        }
        if (entry.indexOf('\n') >= 0 || entry.indexOf('\r') >= 0) {
            return Optional.of("contains a line break");
        }
        Optional<Map.Entry<String, String>> parsed = entry(entry);
        if (parsed.isEmpty()) {
            return Optional.of("is not NAME=value");
        }
        if (!isValidName(parsed.get().getKey())) {
            return Optional.of(
                    "has a name that is not a variable name (letters, digits and '_', not starting with" + " a digit)");
        }
        return Optional.empty();
    }

    /** An entry as a message may show it: control characters escaped, at most 80 characters. */
    public static String printable(String entry) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < entry.length() && out.length() < 80; i++) {
            char c = entry.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.length() < 80 ? out.toString() : out + "…";
    }

    /** The name and value of one entry; empty when it has no {@code =} or an empty name. */
    public static Optional<Map.Entry<String, String>> entry(String entry) {
        int eq = entry == null ? -1 : entry.indexOf('=');
        return eq > 0 ? Optional.of(Map.entry(entry.substring(0, eq), entry.substring(eq + 1))) : Optional.empty();
    }

    /** The value of the last entry for {@code name}, as a process environment built from the list holds it. */
    public static Optional<String> value(List<String> env, String name) {
        return Optional.ofNullable(toMap(env).get(name));
    }

    /** Later entries win, as in a process environment; entries without a name and '=' are ignored. */
    public static Map<String, String> toMap(List<String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env != null) {
            for (String e : env) {
                entry(e).ifPresent(kv -> out.put(kv.getKey(), kv.getValue()));
            }
        }
        return out;
    }
}
