package dev.locald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.config.LocaldConfig;
import dev.locald.json.Json;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body whose declared Content-Length is above the HTTP limit (or, for JSON, above
 * {@code locald.builds.max-request-bytes}) with a 413 problem before any of it is read.
 * Without it the HTTP layer answers such a request itself, with an empty 413.
 */
@ApplicationScoped
public class RequestSizeFilter {
    private static final ObjectMapper JSON = Json.PLAIN;

    void register(
            @Observes Filters filters,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            LocaldConfig config) {
        long max = maxBody.asLongValue();
        long maxJson = config.builds().maxRequestBytes();
        String body = problem(max, "quarkus.http.limits.max-body-size");
        String jsonBody = problem(maxJson, "locald.builds.max-request-bytes");
        filters.register(
                rc -> {
                    String length = rc.request().getHeader("Content-Length");
                    if (length != null && exceeds(length, max)) {
                        refuse(rc, body);
                        return;
                    }
                    // a JSON request is read whole into memory: refuse a large one before reading it
                    String type = rc.request().getHeader("Content-Type");
                    if (length != null
                            && type != null
                            && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")
                            && exceeds(length, maxJson)) {
                        refuse(rc, jsonBody);
                        return;
                    }
                    rc.next();
                },
                100);
    }

    private static void refuse(io.vertx.ext.web.RoutingContext rc, String problem) {
        rc.response()
                .setStatusCode(413)
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close")
                .end(problem);
    }

    private static boolean exceeds(String contentLength, long max) {
        try {
            return Long.parseLong(contentLength.trim()) > max;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer refuses a malformed length itself
        }
    }

    private static String problem(long max, String key) {
        try {
            return JSON.writeValueAsString(Problem.of(
                    ProblemType.SOURCE_TOO_LARGE,
                    413,
                    "the request body is larger than " + max + " bytes (" + key + ")"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
