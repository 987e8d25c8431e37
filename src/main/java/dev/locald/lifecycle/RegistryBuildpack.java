package dev.locald.lifecycle;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A buildpack named by the CNB buildpack registry, {@code urn:cnb:registry:<namespace>/<name>[@<version>]} (pack's
 * form). Namespace and name follow the registry's rule ({@code [a-z0-9\-.]{1,253}}); the version, when given,
 * follows {@link BuildpackRef}'s. The registry entry's id is {@code <namespace>/<name>}, which is also the id of the
 * buildpack its image holds (docs/api.md, "Buildpacks from the buildpack registry").
 */
public record RegistryBuildpack(String namespace, String name, Optional<String> version) {

    public static final String PREFIX = "urn:cnb:registry:";

    private static final Pattern PART = Pattern.compile("[a-z0-9.-]{1,253}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}");

    public RegistryBuildpack {
        version = version == null ? Optional.empty() : version;
        if (namespace == null || !PART.matcher(namespace).matches()) {
            throw new IllegalArgumentException(
                    "its namespace " + BuildpackRef.quote(namespace) + " is not 1–253 of a-z, 0-9, '-' and '.'");
        }
        if (name == null || !PART.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "its name " + BuildpackRef.quote(name) + " is not 1–253 of a-z, 0-9, '-' and '.'");
        }
        version.ifPresent(v -> {
            if (!VERSION.matcher(v).matches()) {
                throw new IllegalArgumentException("its version " + BuildpackRef.quote(v)
                        + " is not 1–128 of A-Za-z0-9 . + _ - starting with a letter or digit");
            }
        });
    }

    /** Whether a buildpack entry names the registry ({@code urn:cnb:registry:…}). */
    public static boolean isRegistry(String entry) {
        return entry != null && entry.startsWith(PREFIX);
    }

    /**
     * Parses {@code urn:cnb:registry:<namespace>/<name>[@<version>]}.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong (to follow the entry's name)
     */
    public static RegistryBuildpack parse(String entry) {
        if (!isRegistry(entry)) {
            throw new IllegalArgumentException("it does not start with " + PREFIX);
        }
        String rest = entry.substring(PREFIX.length());
        String idPart = rest;
        Optional<String> version = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            if (rest.indexOf('@', at + 1) >= 0) {
                throw new IllegalArgumentException("it has more than one '@'");
            }
            idPart = rest.substring(0, at);
            version = Optional.of(rest.substring(at + 1));
        }
        int slash = idPart.indexOf('/');
        if (slash < 0 || idPart.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("it must name <namespace>/<name>, with exactly one '/'");
        }
        return new RegistryBuildpack(idPart.substring(0, slash), idPart.substring(slash + 1), version);
    }

    /** The registry id, {@code <namespace>/<name>}: also the id of the buildpack its image holds. */
    public String id() {
        return namespace + "/" + name;
    }

    @Override
    public String toString() {
        return PREFIX + id() + version.map(v -> "@" + v).orElse("");
    }
}
