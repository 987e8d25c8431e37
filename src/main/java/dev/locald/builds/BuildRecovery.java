package dev.locald.builds;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Loads the build history at startup and fails the builds that were running when locald stopped. */
final class BuildRecovery {
    public static final String INTERRUPTED = "locald stopped while this build was running";

    private final BuildStore store;

    public BuildRecovery(BuildStore store) {
        this.store = store;
    }

    /** Every stored build; those in a non-terminal state are saved as FAILED first. */
    public Recovered recover(Instant now) throws IOException {
        List<Build> all = new ArrayList<>();
        List<Build> interrupted = new ArrayList<>();
        for (Build build : store.loadAll()) {
            if (build.state().isTerminal()) {
                all.add(build);
            } else {
                Build failed = build.failed(INTERRUPTED, now);
                store.save(failed);
                all.add(failed);
                interrupted.add(failed);
            }
        }
        return new Recovered(all, interrupted);
    }

    /** @param all every build, terminal now; @param interrupted those that were marked failed by this recovery */
    public record Recovered(List<Build> all, List<Build> interrupted) {}
}
