package dev.locald.image;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading {@code NAME=value} environment lists (an OCI config's {@code Env}, a container's process env). */
public final class EnvList {
    private EnvList() {}

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
