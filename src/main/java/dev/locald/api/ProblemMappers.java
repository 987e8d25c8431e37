package dev.locald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.builds.BuildNotFinishedException;
import dev.locald.builds.NoSuchBuildException;
import dev.locald.builds.QueueFullException;
import dev.locald.json.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.core.multipart.MultipartParser;

/** Turns every failure of a request into an RFC 9457 problem response; no error leaves without one. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final ObjectMapper JSON = Json.PLAIN;

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.problem(), e.headers());
    }

    @ServerExceptionMapper
    public Response noSuchBuild(NoSuchBuildException e) {
        return respond(Problem.of(ProblemType.NOT_FOUND, 404, e.getMessage()), Map.of());
    }

    @ServerExceptionMapper
    public Response notFinished(BuildNotFinishedException e) {
        return respond(Problem.of(ProblemType.BUILD_NOT_FINISHED, 409, e.getMessage()), Map.of());
    }

    @ServerExceptionMapper
    public Response queueFull(QueueFullException e) {
        long seconds = Math.max(1, e.retryAfter().toSeconds());
        return respond(
                Problem.of(ProblemType.QUEUE_FULL, 429, e.getMessage()), Map.of("Retry-After", Long.toString(seconds)));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        ProblemType type = switch (status) {
            case 400 -> ProblemType.INVALID_REQUEST;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.SOURCE_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> status >= 500 ? ProblemType.INTERNAL : ProblemType.HTTP_ERROR;
        };
        String detail = switch (status) {
            case 404 -> "there is nothing at this path";
            case 405 -> "this path does not accept this method";
            case 406 -> "this resource cannot produce any of the types the Accept header asks for";
            case 415 ->
                "the Content-Type is missing or not accepted here: POST /builds takes multipart/form-data or"
                        + " application/json, POST /images application/json";
            default ->
                Response.Status.fromStatusCode(status) == null
                        ? "the request failed"
                        : Response.Status.fromStatusCode(status).getReasonPhrase();
        };
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        Map<String, String> headers = e.getResponse().getHeaderString("Allow") == null
                ? Map.of()
                : Map.of("Allow", e.getResponse().getHeaderString("Allow"));
        return respond(Problem.of(type, status, detail), headers);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return respond(Problem.of(ProblemType.INVALID_REQUEST, 400, "the body is not valid JSON"), Map.of());
    }

    /** A multipart body the parser cannot read is the client's error (api-fuzz.sh found it as a 500). */
    @ServerExceptionMapper
    public Response malformedMultipart(MultipartParser.MalformedMessageException e) {
        return malformedMultipart();
    }

    private static Response malformedMultipart() {
        return respond(
                Problem.of(
                        ProblemType.INVALID_REQUEST,
                        400,
                        "the multipart/form-data body is malformed: each part needs its headers"
                                + " (Content-Disposition with a name) and the body must end with the closing"
                                + " boundary the Content-Type names"),
                Map.of());
    }

    /**
     * The multipart parser reports a body that ends before its closing boundary as a plain IOException
     * ("Connection terminated parsing multipart request"); told apart from the server's own I/O failures
     * by where it was thrown and what it says.
     */
    private static boolean isTruncatedMultipart(Throwable e) {
        return e instanceof java.io.IOException
                && String.valueOf(e.getMessage()).contains("multipart")
                && e.getStackTrace().length > 0
                && e.getStackTrace()[0].getClassName().startsWith(MultipartParser.class.getPackageName() + ".");
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (isTruncatedMultipart(e)) {
            return malformedMultipart();
        }
        LOG.error("request failed", e);
        return respond(
                Problem.of(ProblemType.INTERNAL, 500, "locald failed to handle this request; its log has the details"),
                Map.of());
    }

    static Response respond(Problem problem, Map<String, String> headers) {
        String body;
        try {
            body = JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("problem not serializable", e);
        }
        Response.ResponseBuilder response =
                Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(body);
        headers.forEach(response::header);
        return response.build();
    }
}
