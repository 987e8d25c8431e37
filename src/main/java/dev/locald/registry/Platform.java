package dev.locald.registry;

import java.util.Optional;
import java.util.regex.Pattern;

/** A platform as {@code os/architecture[/variant]}, the form the configuration and image indexes use. */
public record Platform(String os, String architecture, Optional<String> variant) {

    private static final Pattern PART = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public static Platform parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("platform '" + text + "' is not os/architecture[/variant]");
        }
        for (String part : parts) {
            if (!PART.matcher(part).matches()) {
                throw new IllegalArgumentException("platform '" + text + "' has an invalid part '" + part + "'");
            }
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    /** Whether an index entry with these values fits; an unset variant on our side accepts any. */
    public boolean matches(String os, String architecture, String variant) {
        return this.os.equals(os)
                && this.architecture.equals(architecture)
                && (this.variant.isEmpty() || this.variant.get().equals(variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
