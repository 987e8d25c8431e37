package dev.locald.api;

import java.util.List;
import java.util.Map;

/** Ends a request with a problem response. Thrown by resources; turned into a response by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {
    private final Problem problem;
    private final Map<String, String> headers;

    public ProblemException(Problem problem) {
        this(problem, Map.of());
    }

    public ProblemException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ProblemException(new Problem(
                ProblemType.INVALID_REQUEST.uri(), ProblemType.INVALID_REQUEST.title(), 400, detail, errors));
    }

    public static ProblemException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(ProblemType.NOT_FOUND, 404, detail));
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(Problem.of(ProblemType.SOURCE_TOO_LARGE, 413, detail));
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
