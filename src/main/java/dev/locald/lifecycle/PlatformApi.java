package dev.locald.lifecycle;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CNB Platform API version such as {@code 0.13}. Only {@code <major>.<minor>} is meaningful to the
 * lifecycle, so that is all this holds; ordering is numeric (0.9 &lt; 0.10).
 */
public record PlatformApi(int major, int minor) implements Comparable<PlatformApi> {

    /** 0.15: execution environments ({@code CNB_EXEC_ENV}) and system buildpacks ({@code /cnb/system.toml}). */
    public static final PlatformApi EXEC_ENV = new PlatformApi(0, 15);

    private static final Pattern FORM = Pattern.compile("(0|[1-9][0-9]{0,4})\\.(0|[1-9][0-9]{0,4})");

    public PlatformApi {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException(
                    "platform API version parts must not be negative: " + major + "." + minor);
        }
    }

    /** Parses {@code <major>.<minor>}; anything else (a patch part, leading zeros, text) is refused. */
    public static PlatformApi parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a platform API version (want <major>.<minor>, e.g. 0.13): " + text);
        }
        return new PlatformApi(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean atLeast(PlatformApi other) {
        return compareTo(other) >= 0;
    }

    public boolean atLeast(String other) {
        return atLeast(parse(other));
    }

    @Override
    public int compareTo(PlatformApi o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
