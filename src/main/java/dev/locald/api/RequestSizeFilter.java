package dev.locald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body whose declared Content-Length is above the HTTP limit with a 413 problem before any of
 * it is read. Without it the HTTP layer answers such a request itself, with an empty 413.
 */
@ApplicationScoped
public class RequestSizeFilter {
    private static final ObjectMapper JSON = new ObjectMapper();

    void register(@Observes Filters filters,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        long max = maxBody.asLongValue();
        String body = problem(max);
        filters.register(rc -> {
            String length = rc.request().getHeader("Content-Length");
            if (length != null && exceeds(length, max)) {
                rc.response().setStatusCode(413)
                        .putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close")
                        .end(body);
                return;
            }
            rc.next();
        }, 100);
    }

    private static boolean exceeds(String contentLength, long max) {
        try {
            return Long.parseLong(contentLength.trim()) > max;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer refuses a malformed length itself
        }
    }

    private static String problem(long max) {
        try {
            return JSON.writeValueAsString(Problem.of(ProblemType.SOURCE_TOO_LARGE, 413,
                    "the request body is larger than " + max + " bytes (quarkus.http.limits.max-body-size)"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

}
