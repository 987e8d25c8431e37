package dev.locald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.image.ImageReference;
import dev.locald.json.Json;
import dev.locald.registry.RegistryCredential;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /images}: {@code {"reference": "…", "registryAuth": {"username": …, "password": …}}}
 * (or {@code "registryAuth": {"token": …}}).
 * Unknown fields, duplicate keys and trailing content are refused; credential values are never echoed.
 */
public record ImagePullRequest(ImageReference reference, Optional<RegistryCredential> credential) {

    private static final Set<String> FIELDS = Set.of("reference", "registryAuth");
    private static final ObjectMapper JSON = Json.STRICT;

    /**
     * Parses and checks; throws a 400 {@link ProblemException} listing every invalid field.
     *
     * @param allowLoopback whether the reference may name a registry on this machine ({@link ReferenceSyntax})
     */
    public static ImagePullRequest parse(byte[] body, boolean allowLoopback) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            String message = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw ProblemException.invalid("body", "is not valid JSON: " + message);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw ProblemException.invalid(
                    "body", "must be a JSON object such as {\"reference\": \"registry.example/team/builder:1\"}");
        }
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(BuildRequestParser.printable(name), "is not a known field"));
            }
        }
        ImageReference reference = reference(root.get("reference"), allowLoopback, errors);
        Optional<RegistryCredential> credential = RegistryAuthField.parse(root.get(RegistryAuthField.NAME), errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return new ImagePullRequest(reference, credential);
    }

    private static ImageReference reference(JsonNode node, boolean allowLoopback, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new FieldError(
                    "reference", "is required: the image to pull, such as registry.example/team/builder:1"));
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError("reference", "must be a string"));
            return null;
        }
        ImageReference reference;
        try {
            reference = ImageReference.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("reference", BuildRequestParser.printable(e.getMessage())));
            return null;
        }
        Optional<String> unreachable = ReferenceSyntax.reachProblem(reference, allowLoopback);
        if (unreachable.isPresent()) {
            errors.add(new FieldError("reference", "'" + reference + "' " + unreachable.get()));
            return null;
        }
        return reference;
    }

    @Override
    public String toString() {
        return "ImagePullRequest[" + reference + ", credential="
                + credential.map(Object::toString).orElse("none") + "]";
    }
}
