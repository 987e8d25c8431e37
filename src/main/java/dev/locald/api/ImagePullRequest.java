package dev.locald.api;

import dev.locald.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.image.ImageReference;
import dev.locald.registry.RegistryCredential;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /images}: {@code {"reference": "…", "registryAuth": {"username": …, "password": …}}}.
 * Unknown fields, duplicate keys and trailing content are refused; credential values are never echoed.
 */
public record ImagePullRequest(ImageReference reference, Optional<RegistryCredential> credential) {

    private static final Set<String> FIELDS = Set.of("reference", "registryAuth");
    private static final int MAX_CREDENTIAL = 8192;
    private static final ObjectMapper JSON = Json.STRICT;

    /** Parses and checks; throws a 400 {@link ProblemException} listing every invalid field. */
    public static ImagePullRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw ProblemException.invalid("body", "is not valid JSON: " + message);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw ProblemException.invalid("body", "must be a JSON object such as {\"reference\": \"registry.example/team/builder:1\"}");
        }
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(BuildRequestParser.printable(name), "is not a known field"));
            }
        }
        ImageReference reference = reference(root.get("reference"), errors);
        Optional<RegistryCredential> credential = credential(root.get("registryAuth"), errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return new ImagePullRequest(reference, credential);
    }

    private static ImageReference reference(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new FieldError("reference", "is required: the image to pull, such as registry.example/team/builder:1"));
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError("reference", "must be a string"));
            return null;
        }
        try {
            return ImageReference.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("reference", BuildRequestParser.printable(e.getMessage())));
            return null;
        }
    }

    private static Optional<RegistryCredential> credential(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            errors.add(new FieldError("registryAuth", "must be an object: {\"username\":…,\"password\":…}"));
            return Optional.empty();
        }
        int before = errors.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("username") && !name.equals("password")) {
                errors.add(new FieldError("registryAuth." + BuildRequestParser.printable(name), "is not a known field"));
            }
        }
        String username = secret(node, "username", errors);
        String password = secret(node, "password", errors);
        if (errors.size() != before) {
            return Optional.empty();
        }
        return Optional.of(new RegistryCredential(username, password));
    }

    /** A credential string; its value is never part of a message. */
    private static String secret(JsonNode auth, String name, List<FieldError> errors) {
        JsonNode node = auth.get(name);
        String field = "registryAuth." + name;
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
        boolean username = name.equals("username");
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || username && value.contains(":")) {
            errors.add(new FieldError(field, username ? "must not contain control characters or ':'"
                    : "must not contain control characters"));
            return null;
        }
        return value;
    }

    @Override
    public String toString() {
        return "ImagePullRequest[" + reference + ", credential=" + credential.map(c -> c.username()).orElse("none") + "]";
    }
}
