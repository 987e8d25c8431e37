package dev.locald.builds;

import dev.locald.logs.LogStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Every build the service knows, and how a state change is recorded: the record is saved before the
 * in-memory state changes, and a build's end is saved before its log is closed and listeners hear of it.
 */
final class TrackedBuilds {
    private static final Logger LOG = Logger.getLogger(TrackedBuilds.class);

    private final BuildStore store;
    private final Iterable<BuildListener> listeners;
    private final Map<BuildId, TrackedBuild> builds = new ConcurrentHashMap<>();

    TrackedBuilds(BuildStore store, Iterable<BuildListener> listeners) {
        this.store = store;
        this.listeners = listeners;
    }

    void add(TrackedBuild t) {
        builds.put(t.build.id(), t);
    }

    Optional<TrackedBuild> find(BuildId id) {
        return Optional.ofNullable(builds.get(id));
    }

    TrackedBuild get(BuildId id) throws NoSuchBuildException {
        TrackedBuild t = builds.get(id);
        if (t == null) {
            throw new NoSuchBuildException(id);
        }
        return t;
    }

    void remove(BuildId id) {
        builds.remove(id);
    }

    Collection<TrackedBuild> all() {
        return builds.values();
    }

    /** Saves {@code next} and makes it the build's state; call holding {@code t}'s monitor. */
    void save(TrackedBuild t, Build next) {
        try {
            store.save(next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the record of build " + next.id(), e);
        }
        t.build = next;
    }

    /** Logs the outcome as the build's last line, then {@link #end}s it; call holding {@code t}'s monitor. */
    void endWithSummary(TrackedBuild t, Build terminal, Instant now) {
        t.log.append(null, LogStream.SYSTEM, now, summary(terminal));
        end(t, terminal);
    }

    /** Saves a terminal record, then closes the log, so a reader that saw the log end finds the final record. */
    void end(TrackedBuild t, Build terminal) {
        save(t, terminal);
        t.log.finish();
        t.releaseLive();
        notifyListeners(l -> l.buildEnded(terminal));
    }

    void notifyListeners(Consumer<BuildListener> call) {
        for (BuildListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warnf(e, "a build listener failed");
            }
        }
    }

    private static String summary(Build b) {
        return switch (b.state()) {
            case SUCCEEDED ->
                "build succeeded: " + b.result().image() + "@" + b.result().digest();
            case CANCELLED -> "build cancelled";
            case FAILED -> "build failed: " + b.error();
            default -> throw new IllegalStateException("not terminal: " + b.state());
        };
    }
}
