package dev.locald.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Makes plain text the log format for clients that name none ({@code curl}'s {@code Accept: *}{@code /*}),
 * so that {@code curl -N …/logs?follow=true} shows text rather than whichever format the router prefers,
 * and answers a 406 problem when the client accepts none of the three formats.
 */
public class LogAcceptDefault {
    private static final java.util.Set<String> LOG_TYPES = java.util.Set.of(
            "*/*", "text/*", "application/*", "text/plain", "text/event-stream", "application/x-ndjson");
    private static final Pattern LOGS_PATH = Pattern.compile("/builds/[^/]+/logs/?");

    @ServerRequestFilter(preMatching = true)
    public jakarta.ws.rs.core.Response preferText(ContainerRequestContext request) {
        if (!"GET".equals(request.getMethod())
                || !LOGS_PATH.matcher(request.getUriInfo().getPath()).matches()) {
            return null;
        }
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        if (accept == null || accept.isBlank() || onlyWildcards(accept)) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, "text/plain");
        } else if (!namesALogFormat(accept)) {
            return ProblemMappers.respond(
                    Problem.of(
                            ProblemType.NOT_ACCEPTABLE,
                            406,
                            "logs are available as text/plain, text/event-stream or application/x-ndjson"),
                    java.util.Map.of());
        }
        return null;
    }

    private static boolean namesALogFormat(String accept) {
        for (String range : accept.split(",")) {
            String type = range.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
            if (LOG_TYPES.contains(type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyWildcards(String accept) {
        for (String range : accept.split(",")) {
            String type = range.split(";")[0].trim();
            if (!type.equals("*/*") && !type.equals("text/*")) {
                return false;
            }
        }
        return true;
    }
}
