package dev.locald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.builds.ServiceBinding;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code bindings} field of a build request: {@code {"<name>": {"type": …, "provider": …, "entries":
 * {"<file>": "<content>"}}}}. Names and entry file names become path components under
 * {@code /platform/bindings}, so they are one safe component each; sizes are bounded like {@code env}. Entry
 * contents are secrets and never echoed in a message.
 */
final class BindingsField {

    static final String NAME = "bindings";
    /** Set by locald for the buildpacks when bindings are given; the request's env must not set it too. */
    static final String ROOT_VARIABLE = "SERVICE_BINDING_ROOT";

    private static final Set<String> FIELDS = Set.of("type", "provider", "entries");
    private static final Set<String> RESERVED_FILES = Set.of("type", "provider");
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}]{1,256}");
    static final int MAX_BINDINGS = 32;
    static final int MAX_ENTRIES = 64;
    /** Below the 1 MiB default of locald.builds.max-request-bytes, so that it is the limit a request meets. */
    static final long MAX_TOTAL_BYTES = 512 * 1024;

    private BindingsField() {}

    /** The bindings by name (empty when absent or wrong); problems are added to {@code errors}. */
    static Map<String, ServiceBinding> parse(JsonNode node, Map<String, String> env, List<FieldError> errors) {
        Map<String, ServiceBinding> bindings = new TreeMap<>();
        if (node == null || node.isNull()) {
            return bindings;
        }
        if (!node.isObject()) {
            errors.add(new FieldError(
                    NAME, "must be an object of binding names to {\"type\":…,\"provider\":…,\"entries\":{…}}"));
            return bindings;
        }
        if (node.size() > MAX_BINDINGS) {
            errors.add(
                    new FieldError(NAME, "has " + node.size() + " bindings; at most " + MAX_BINDINGS + " are allowed"));
            return bindings;
        }
        if (node.size() > 0 && env.containsKey(ROOT_VARIABLE)) {
            errors.add(new FieldError(
                    "env." + ROOT_VARIABLE, "is set by locald to /platform/bindings when bindings are given"));
        }
        long total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String field = NAME + "." + BuildRequestParser.printable(name);
            if (!safeComponent(name)) {
                errors.add(new FieldError(
                        field,
                        "'" + BuildRequestParser.printable(name) + "' is not a valid binding name: 1 to 128 of"
                                + " A-Z a-z 0-9 . _ -, not . or .. (it names a directory under /platform/bindings)"));
                continue;
            }
            Optional<Binding> binding = binding(field, e.getValue(), errors);
            if (binding.isPresent()) {
                total += binding.get().bytes();
                bindings.put(name, binding.get().value());
            }
        }
        if (total > MAX_TOTAL_BYTES) {
            errors.add(new FieldError(NAME, "entries add up to more than " + MAX_TOTAL_BYTES + " bytes"));
        }
        return bindings;
    }

    private record Binding(ServiceBinding value, long bytes) {}

    private static Optional<Binding> binding(String field, JsonNode node, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError(field, "must be an object {\"type\":…,\"provider\":…,\"entries\":{…}}"));
            return Optional.empty();
        }
        int before = errors.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(field + "." + BuildRequestParser.printable(name), "is not a known field"));
            }
        }
        Optional<String> type = text(field + ".type", node.get("type"), true, errors);
        Optional<String> provider = text(field + ".provider", node.get("provider"), false, errors);
        Map<String, String> entries = new LinkedHashMap<>();
        long bytes = 0;
        JsonNode entriesNode = node.get("entries");
        String entriesField = field + ".entries";
        if (entriesNode != null && !entriesNode.isNull()) {
            if (!entriesNode.isObject()) {
                errors.add(new FieldError(entriesField, "must be an object of file names to string contents"));
            } else if (entriesNode.size() > MAX_ENTRIES) {
                errors.add(new FieldError(
                        entriesField,
                        "has " + entriesNode.size() + " entries; at most " + MAX_ENTRIES + " are allowed"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = entriesNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String file = e.getKey();
                    String entryField = entriesField + "." + BuildRequestParser.printable(file);
                    if (!safeComponent(file) || RESERVED_FILES.contains(file)) {
                        errors.add(new FieldError(
                                entryField,
                                "'" + BuildRequestParser.printable(file) + "' is not a valid entry file name: 1 to"
                                        + " 128 of A-Z a-z 0-9 . _ -, not . or .., type or provider"));
                    } else if (!e.getValue().isTextual()) {
                        errors.add(new FieldError(entryField, "must be a string"));
                    } else if (e.getValue().textValue().indexOf('\0') >= 0) {
                        errors.add(new FieldError(entryField, "must not contain NUL characters"));
                    } else {
                        String content = e.getValue().textValue();
                        bytes += content.getBytes(StandardCharsets.UTF_8).length;
                        entries.put(file, content);
                    }
                }
            }
        }
        if (errors.size() > before || type.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Binding(new ServiceBinding(type.get(), provider, entries), bytes));
    }

    private static Optional<String> text(String field, JsonNode node, boolean required, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return Optional.empty();
        }
        if (!node.isTextual() || !TEXT.matcher(node.textValue()).matches()) {
            errors.add(new FieldError(field, "must be a string of 1 to 256 characters without control characters"));
            return Optional.empty();
        }
        return Optional.of(node.textValue());
    }

    private static boolean safeComponent(String name) {
        return COMPONENT.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }
}
