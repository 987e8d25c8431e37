package dev.locald.lifecycle;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which names may become {@code /platform/env/<NAME>} files. The API checks the same rules; this is the
 * second line, next to the code that turns names into file names.
 */
final class PlatformEnvNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    /** Loader-injection variables: they would change how every build tool in the phase starts. */
    private static final Set<String> REFUSED = Set.of("LD_PRELOAD", "LD_AUDIT");
    /** Largest value accepted for one variable. */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    private PlatformEnvNames() {}

    /** Throws {@link IllegalArgumentException} naming the problem when {@code name} is not allowed. */
    public static void check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("env name " + BuildpackRef.quote(name)
                    + " is not allowed: use letters, digits and '_', not starting with a digit (at most 255)");
        }
        if (name.toUpperCase(Locale.ROOT).startsWith("CNB_")) {
            throw new IllegalArgumentException(
                    "env name " + name + " is reserved: CNB_* variables belong to the lifecycle");
        }
        if (REFUSED.contains(name)) {
            throw new IllegalArgumentException("env name " + name + " is not allowed for builds");
        }
    }

    public static void checkValue(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("env " + name + " has no value");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "env " + name + " contains a NUL character, which no process env can hold");
        }
        if (value.length() > MAX_VALUE_BYTES
                || value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("env " + name + " is longer than " + MAX_VALUE_BYTES + " bytes");
        }
    }
}
