package dev.locald.lifecycle;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A buildpack named by id and, optionally, version ({@code paketo-buildpacks/node-engine@1.2.3}).
 * The id rules are the buildpack spec's: letters, digits, {@code . / - _}, not one of the reserved names.
 */
public record BuildpackRef(String id, Optional<String> version) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,254}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}");

    public BuildpackRef {
        if (id == null || !ID.matcher(id).matches() || id.contains("..") || id.contains("//") || id.endsWith("/")) {
            throw new IllegalArgumentException("not a valid buildpack id: " + quote(id));
        }
        if (id.equals("app") || id.equals("config") || id.equals("generated") || id.equals("sbom")) {
            throw new IllegalArgumentException("buildpack id '" + id + "' is reserved by the lifecycle");
        }
        version = version == null ? Optional.empty() : version;
        version.ifPresent(v -> {
            if (!VERSION.matcher(v).matches()) {
                throw new IllegalArgumentException("not a valid version for buildpack " + id + ": " + quote(v));
            }
        });
    }

    /**
     * Parses {@code id} or {@code id@version}. URIs such as {@code docker://…}, {@code urn:cnb:…} or
     * {@code https://…} are refused: locald can only reorder buildpacks the builder already holds.
     */
    public static BuildpackRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty buildpack reference");
        }
        if (text.contains("://") || text.startsWith("urn:") || text.startsWith("from=")) {
            throw new IllegalArgumentException("buildpack " + quote(text)
                    + " is a URI; only buildpacks contained in the builder can be named, as id or id@version");
        }
        int at = text.indexOf('@');
        if (at < 0) {
            return new BuildpackRef(text, Optional.empty());
        }
        if (text.indexOf('@', at + 1) >= 0) {
            throw new IllegalArgumentException("buildpack reference has more than one '@': " + quote(text));
        }
        return new BuildpackRef(text.substring(0, at), Optional.of(text.substring(at + 1)));
    }

    @Override
    public String toString() {
        return version.map(v -> id + "@" + v).orElse(id);
    }

    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
