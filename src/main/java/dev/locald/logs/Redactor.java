package dev.locald.logs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Replaces registered secret values with {@code ***}. One per build: it is fed the registry password,
 * token, their Basic-auth and base64 forms and the values of env vars marked secret, and every log line
 * and failure message passes through it before it is stored or shown.
 */
public final class Redactor {
    public static final String MASK = "***";

    private final List<String> secrets = new CopyOnWriteArrayList<>();

    /** Registers a secret value; also its base64 form, which is how it appears inside auth headers and config. */
    public void addSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            return;
        }
        add(secret);
        add(base64(secret));
    }

    /** Registers a username/password pair: the password and {@code base64(user:password)} (a Basic auth blob). */
    public void addBasicAuth(String username, String password) {
        addSecret(password);
        if (username != null && password != null && !password.isEmpty()) {
            add(base64(username + ":" + password));
        }
    }

    /** The text with every registered secret replaced by {@link #MASK}; longer secrets are replaced first. */
    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : sortedLongestFirst()) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }

    private List<String> sortedLongestFirst() {
        List<String> copy = new ArrayList<>(secrets);
        copy.sort(Comparator.comparingInt(String::length).reversed());
        return copy;
    }

    private void add(String value) {
        if (!value.isEmpty() && !secrets.contains(value)) {
            secrets.add(value);
        }
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
