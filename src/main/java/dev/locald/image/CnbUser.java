package dev.locald.image;

import java.util.List;
import java.util.Optional;

/**
 * The uid:gid every phase runs as, taken from the builder's {@code CNB_USER_ID}/{@code CNB_GROUP_ID}
 * (both required, as pack requires; see {@code docs/lifecycle.md}). Root is refused: detector and builder
 * exit 1 as root, and locald runs every phase unprivileged.
 */
public record CnbUser(int uid, int gid) {

    public CnbUser {
        if (uid <= 0 || gid < 0) {
            throw new IllegalArgumentException(
                    "the CNB user must be a non-root uid and a valid gid, not " + uid + ":" + gid);
        }
    }

    /** Reads the ids from an image config's {@code Env} ({@code NAME=value} entries; the last one wins). */
    public static CnbUser fromImageEnv(String builderName, List<String> env) {
        int uid = id(builderName, env, "CNB_USER_ID");
        int gid = id(builderName, env, "CNB_GROUP_ID");
        if (uid == 0) {
            throw new IllegalArgumentException("builder " + builderName
                    + " sets CNB_USER_ID=0; the CNB lifecycle refuses to run buildpacks as root");
        }
        return new CnbUser(uid, gid);
    }

    private static int id(String builderName, List<String> env, String name) {
        Optional<String> value = EnvList.value(env, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("builder " + builderName + " lacks the required env var " + name);
        }
        try {
            int id = Integer.parseInt(value.get().strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "builder " + builderName + ": " + name + " is not a non-negative integer: " + quote(value.get()));
        }
    }

    // the value is the image's: shown shortened and without control characters
    private static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
