package dev.locald.etc;

import java.util.List;
import java.util.Optional;

/**
 * What {@link SyntheticRoot} produced for one run: the generated files to bind-mount read-only, the
 * user databases as the container will see them, and the CNB home when it must be mounted.
 */
public record PreparedRoot(
        List<SyntheticFile> files, PasswdFile passwd, GroupFile group, Optional<HomeMount> homeMount) {

    public PreparedRoot {
        files = List.copyOf(files);
    }

    /** The home directory of {@code uid} in the container's passwd, {@code /} when it has none. */
    public String homeOf(long uid) {
        return passwd.byUid(uid)
                .map(PasswdFile.Entry::home)
                .filter(h -> !h.isEmpty())
                .orElse("/");
    }
}
