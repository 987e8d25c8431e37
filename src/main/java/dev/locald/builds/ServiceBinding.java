package dev.locald.builds;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One service binding of a build request (the Kubernetes Service Binding layout the buildpacks read under
 * {@code $SERVICE_BINDING_ROOT/<name>}: files {@code type}, {@code provider} and one per entry). The entry
 * contents are secrets: they live in memory only, are written to the build's platform directory and are
 * redacted from the log; {@link #toString} never shows them.
 *
 * @param type the binding's type ({@code maven}, {@code ca-certificates}, …)
 * @param provider who provides it, when given
 * @param entries file name to content
 */
public record ServiceBinding(String type, Optional<String> provider, Map<String, String> entries) {

    public ServiceBinding {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(provider, "provider");
        entries = Map.copyOf(entries);
        if (entries.containsKey("type") || entries.containsKey("provider")) {
            throw new IllegalArgumentException("an entry must not be named type or provider");
        }
    }

    /** Every file of the binding's directory, by name: {@code type}, {@code provider} when given, the entries. */
    public Map<String, String> files() {
        Map<String, String> files = new TreeMap<>(entries);
        files.put("type", type);
        provider.ifPresent(p -> files.put("provider", p));
        return files;
    }

    @Override
    public String toString() {
        return "ServiceBinding[type=" + type + ", provider=" + provider.orElse("") + ", entries="
                + new java.util.TreeSet<>(entries.keySet()) + "]";
    }
}
