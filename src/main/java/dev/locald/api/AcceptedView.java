package dev.locald.api;

import dev.locald.builds.Build;

/** The body of a 202 to {@code POST /builds}. */
public record AcceptedView(String id, String state, BuildView.Links links) {
    static AcceptedView of(Build b) {
        return new AcceptedView(b.id().value(), BuildView.state(b), BuildView.Links.of(b));
    }
}
