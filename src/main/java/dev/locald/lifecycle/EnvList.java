package dev.locald.lifecycle;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading OCI config {@code Env} lists ({@code NAME=value}). */
final class EnvList {
    private EnvList() {
    }

    static Optional<String> value(List<String> env, String name) {
        return Optional.ofNullable(toMap(env).get(name));
    }

    /** Later entries win, as in a process environment; entries without '=' are ignored. */
    static Map<String, String> toMap(List<String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env != null) {
            for (String e : env) {
                int eq = e == null ? -1 : e.indexOf('=');
                if (eq > 0) {
                    out.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
        }
        return out;
    }
}
