package dev.locald.janitor;

import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which finished builds have outlived the retention: those that ended more than {@code maxAge} ago, and
 * the oldest beyond the newest {@code maxCount}. Builds that are not finished are never chosen.
 */
record BuildRetention(Duration maxAge, int maxCount) {

    public BuildRetention {
        if (maxAge.isNegative() || maxCount < 0) {
            throw new IllegalArgumentException("build retention must not be negative: " + maxAge + ", " + maxCount);
        }
    }

    /** The ids to delete, oldest first. */
    public List<BuildId> expired(List<Build> builds, Instant now) {
        List<Build> finished = new ArrayList<>();
        for (Build b : builds) {
            if (b.state().isTerminal()) {
                finished.add(b);
            }
        }
        finished.sort(Comparator.comparing(BuildRetention::endedAt).reversed().thenComparing(b -> b.id().value()));
        Instant cutoff = now.minus(maxAge);
        Set<BuildId> doomed = new LinkedHashSet<>();
        for (int i = finished.size() - 1; i >= 0; i--) {
            Build b = finished.get(i);
            if (i >= maxCount || endedAt(b).isBefore(cutoff)) {
                doomed.add(b.id());
            }
        }
        return List.copyOf(doomed);
    }

    private static Instant endedAt(Build b) {
        return b.finishedAt() != null ? b.finishedAt() : b.createdAt();
    }
}
