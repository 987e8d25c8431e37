package dev.locald.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether locald runs as the host's root or rootless: as uid 0 of a user namespace that maps the
 * starting user and their subordinate ids (scripts/locald enters it with {@code unshare --user
 * --map-auto --map-root-user --mount}; docs/operations.md, "Rootless mode"). Inside that namespace
 * overlay mounts (userxattr), chown within the mapped ids and runc work; cgroups do not on a host
 * without delegation, so limits fall back to rlimits there.
 *
 * @param rootless   the process's user namespace is not the host's (its uid map is not the identity)
 * @param uid        the effective uid inside that namespace (0 when usable)
 * @param mappedIds  how many uids the namespace maps
 */
public record RunMode(boolean rootless, long uid, long mappedIds) {

    /** The CNB user and the owners in images need the usual 65536 ids (a builder's CNB user is often 1000). */
    public static final long NEEDED_IDS = 65536;

    private static final long IDENTITY_SIZE = 4294967295L;

    public static RunMode root() {
        return new RunMode(false, 0, IDENTITY_SIZE);
    }

    /** The mode of this process, from /proc/self/uid_map and /proc/self/status. */
    public static RunMode current() {
        try {
            return parse(
                    Files.readString(Path.of("/proc/self/uid_map")), Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's user namespace from /proc/self", e);
        }
    }

    static RunMode parse(String uidMap, String status) {
        long mapped = 0;
        boolean identity = false;
        for (String line : uidMap.strip().split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length != 3) {
                continue;
            }
            long inside = Long.parseLong(fields[0]);
            long outside = Long.parseLong(fields[1]);
            long count = Long.parseLong(fields[2]);
            mapped += count;
            identity |= inside == 0 && outside == 0 && count == IDENTITY_SIZE;
        }
        long uid = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                // real, effective, saved, filesystem
                uid = Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
            }
        }
        if (uid < 0) {
            throw new IllegalStateException("no Uid line in /proc/self/status");
        }
        return new RunMode(!identity, uid, mapped);
    }

    /** {@code root} or {@code rootless}, as readiness and the docs name them. */
    public String name() {
        return rootless ? "rootless" : "root";
    }

    /** Why no build can run in this mode, or empty when builds can. */
    public Optional<String> problem() {
        if (uid != 0) {
            return Optional.of("locald runs as uid " + uid + " outside a user namespace of its own, so it cannot"
                    + " mount or run containers; start it with scripts/locald, which enters one"
                    + " (docs/operations.md, \"Rootless mode\")");
        }
        if (rootless && mappedIds < NEEDED_IDS) {
            return Optional.of(
                    "the user namespace maps " + mappedIds + " ids but builds need " + NEEDED_IDS
                            + " (the CNB user and the owners of image files); give the user subordinate ids (as root: usermod"
                            + " --add-subuids 100000-165535 --add-subgids 100000-165535 <user>) and start it with scripts/locald");
        }
        return Optional.empty();
    }
}
