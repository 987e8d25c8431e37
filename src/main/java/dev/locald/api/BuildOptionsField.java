package dev.locald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.builds.BuildOptions;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The build options pack users know ({@code defaultProcess}, {@code creationTime}, {@code previousImage},
 * {@code execEnv}, {@code disableSystemBuildpacks}; docs/api.md), checked the way {@link BuildRequestParser}
 * checks the rest: every problem becomes a {@link FieldError} naming the field.
 */
final class BuildOptionsField {

    /** Process types and execution environments as the buildpack spec writes them; they become env values. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    private static final Pattern EPOCH = Pattern.compile("[0-9]{1,12}");
    /** 9999-12-31T23:59:59Z: later times have no four-digit year, which the image config's RFC 3339 needs. */
    private static final long MAX_EPOCH = 253_402_300_799L;

    private BuildOptionsField() {}

    static BuildOptions parse(JsonNode root, boolean allowLoopback, List<FieldError> errors) {
        String defaultProcess = token(root, "defaultProcess", "a process type", errors);
        String creationTime = creationTime(root.get("creationTime"), errors);
        String previousImage = previousImage(root.get("previousImage"), allowLoopback, errors);
        String execEnv = token(root, "execEnv", "an execution environment such as production or test", errors);
        boolean disable = false;
        JsonNode node = root.get("disableSystemBuildpacks");
        if (node != null && !node.isNull()) {
            if (node.isBoolean()) {
                disable = node.booleanValue();
            } else {
                errors.add(new FieldError("disableSystemBuildpacks", "must be true or false"));
            }
        }
        return new BuildOptions(defaultProcess, creationTime, previousImage, execEnv, disable, false);
    }

    private static String token(JsonNode root, String field, String what, List<FieldError> errors) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be a string (" + what + ")"));
            return null;
        }
        String value = node.textValue();
        if (!TOKEN.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            errors.add(new FieldError(
                    field,
                    "'" + BuildRequestParser.printable(value) + "' is not " + what
                            + ": use 1 to 255 letters, digits, '.', '_' or '-' (not '.' or '..' alone)"));
            return null;
        }
        return value;
    }

    /** "now", epoch seconds (a number or a string of digits), or RFC 3339; kept as "now" or epoch seconds. */
    private static String creationTime(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        String want = "\"now\", epoch seconds or an RFC 3339 time such as 2024-05-01T12:00:00Z";
        long seconds;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            seconds = node.longValue();
        } else if (node.isTextual()) {
            String text = node.textValue();
            if (text.equals(BuildOptions.NOW)) {
                return BuildOptions.NOW;
            }
            if (EPOCH.matcher(text).matches()) {
                seconds = Long.parseLong(text);
            } else {
                try {
                    seconds = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                            .toEpochSecond();
                } catch (DateTimeParseException e) {
                    errors.add(new FieldError(
                            "creationTime", "'" + BuildRequestParser.printable(text) + "' is not " + want));
                    return null;
                }
            }
        } else {
            errors.add(new FieldError("creationTime", "must be " + want));
            return null;
        }
        if (seconds < 0 || seconds > MAX_EPOCH) {
            errors.add(
                    new FieldError("creationTime", "must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"));
            return null;
        }
        return Long.toString(seconds);
    }

    /** A reference like runImage's, with the same registry rules (loopback only where allowed). */
    private static String previousImage(JsonNode node, boolean allowLoopback, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError("previousImage", "must be a string (an image reference)"));
            return null;
        }
        try {
            return ReferenceSyntax.parse(node.textValue(), ReferenceSyntax.Kind.ANY, allowLoopback)
                    .toString();
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(
                    "previousImage", "'" + BuildRequestParser.printable(node.textValue()) + "' " + e.getMessage()));
            return null;
        }
    }
}
