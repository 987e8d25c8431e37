package dev.locald.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem document, the body of every error response ({@code application/problem+json}).
 * {@code errors} lists every invalid field of a rejected request.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static Problem of(ProblemType type, int status, String detail) {
        return new Problem(type.uri(), type.title(), status, detail, List.of());
    }
}
