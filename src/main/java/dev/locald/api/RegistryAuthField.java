package dev.locald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.registry.RegistryCredential;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code registryAuth} field of a build or pull request, one rule set for both:
 * {@code {"username":…,"password":…}} or {@code {"token":…}} (a registry token, sent as Bearer).
 * Credential values are never echoed in a message.
 */
final class RegistryAuthField {

    static final String NAME = "registryAuth";
    private static final Set<String> FIELDS = Set.of("username", "password", "token");
    private static final int MAX_CREDENTIAL = 8192;

    private RegistryAuthField() {}

    /** The credential, or empty when the field is absent or wrong; problems are added to {@code errors}. */
    static Optional<RegistryCredential> parse(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            errors.add(new FieldError(NAME, "must be an object: {\"username\":…,\"password\":…} or {\"token\":…}"));
            return Optional.empty();
        }
        int before = errors.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(NAME + "." + BuildRequestParser.printable(name), "is not a known field"));
            }
        }
        boolean token = node.has("token");
        boolean basic = node.has("username") || node.has("password");
        if (token == basic) {
            errors.add(new FieldError(NAME, "give either username and password, or token"));
            return Optional.empty();
        }
        Optional<RegistryCredential> credential;
        if (token) {
            String t = secret(node, "token", errors);
            credential = t == null ? Optional.empty() : Optional.of(new RegistryCredential.Bearer(t));
        } else {
            String user = secret(node, "username", errors);
            String password = secret(node, "password", errors);
            credential = user == null || password == null
                    ? Optional.empty()
                    : Optional.of(new RegistryCredential.Basic(user, password));
        }
        return errors.size() == before ? credential : Optional.empty();
    }

    private static String secret(JsonNode auth, String name, List<FieldError> errors) {
        return credentialString(auth, NAME, name, errors);
    }

    /**
     * A credential string of the object {@code prefix} (registryAuth, gitAuth), checked so that it fits an
     * HTTP Basic or Bearer header and the {@link RegistryCredential} constructors accept it.
     */
    static String credentialString(JsonNode auth, String prefix, String name, List<FieldError> errors) {
        JsonNode node = auth.get(name);
        String field = prefix + "." + name;
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty()) {
            errors.add(new FieldError(field, "must be a non-empty string"));
            return null;
        }
        String value = node.textValue();
        if (value.length() > MAX_CREDENTIAL) {
            errors.add(new FieldError(field, "is longer than " + MAX_CREDENTIAL + " characters"));
            return null;
        }
        boolean control = value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
        if (name.equals("username") && (control || value.contains(":"))) {
            errors.add(new FieldError(field, "must not contain control characters or ':'"));
            return null;
        }
        // a token becomes an HTTP header value "Bearer <token>": a space would split it
        if (name.equals("token") && (control || value.contains(" "))) {
            errors.add(new FieldError(field, "must not contain spaces or control characters"));
            return null;
        }
        if (control) {
            errors.add(new FieldError(field, "must not contain control characters"));
            return null;
        }
        return value;
    }
}
