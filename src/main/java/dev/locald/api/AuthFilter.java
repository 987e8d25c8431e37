package dev.locald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.locald.json.Json;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;

/**
 * With a tokens file, requires {@code Authorization: Bearer <token>} on every request but the health,
 * metrics and API-document endpoints; refuses image pulls and deletes to builder tokens. The token found is
 * left on the routing context for the resources ({@link #caller}), which enforce build ownership.
 */
@ApplicationScoped
public class AuthFilter {
    private static final String CALLER = "locald.caller";
    private static final List<String> OPEN = List.of("/q/health", "/q/metrics", "/q/openapi", "/q/swagger-ui");

    void register(@Observes Filters filters, ApiTokens tokens) {
        if (!tokens.enabled()) {
            return;
        }
        // before the size filter (100): an unauthenticated caller learns nothing about limits
        filters.register(rc -> filter(rc, tokens), 200);
    }

    private static void filter(RoutingContext rc, ApiTokens tokens) {
        String path = rc.normalizedPath();
        if (OPEN.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "/") || path.startsWith(p + "."))) {
            rc.next();
            return;
        }
        Optional<ApiToken> token = tokens.authenticate(rc.request().getHeader("Authorization"));
        if (token.isEmpty()) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            end(
                    rc,
                    Problem.of(
                            ProblemType.UNAUTHORIZED,
                            401,
                            "send 'Authorization: Bearer <token>' with a token of locald.auth.tokens-file"));
            return;
        }
        HttpMethod method = rc.request().method();
        boolean imageChange = (path.equals("/images") || path.startsWith("/images/"))
                && (method == HttpMethod.POST || method == HttpMethod.DELETE);
        if (imageChange && token.get().role() != ApiToken.Role.ADMIN) {
            end(
                    rc,
                    Problem.of(
                            ProblemType.FORBIDDEN,
                            403,
                            "pulling and deleting images takes an admin token; builder tokens may only list and "
                                    + "read them"));
            return;
        }
        rc.put(CALLER, token.get());
        rc.next();
    }

    /** The token of the request; empty when the API is open (no tokens file), which allows everything. */
    static Optional<ApiToken> caller(RoutingContext rc) {
        return rc == null ? Optional.empty() : Optional.ofNullable(rc.get(CALLER));
    }

    private static void end(RoutingContext rc, Problem problem) {
        String body;
        try {
            body = Json.PLAIN.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        rc.response()
                .setStatusCode(problem.status())
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(body);
    }
}
