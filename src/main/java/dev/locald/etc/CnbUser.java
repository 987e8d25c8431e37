package dev.locald.etc;

import java.util.regex.Pattern;

/**
 * The user the buildpacks run as: uid and gid from the builder's {@code CNB_USER_ID} and
 * {@code CNB_GROUP_ID} (never assumed), the name and home used when the image does not define it.
 */
public record CnbUser(int uid, int gid, String name, String home) {

    static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");

    public CnbUser {
        if (uid <= 0 || gid < 0) {
            throw new IllegalArgumentException("CNB user id must be > 0 and group id >= 0, got " + uid + ":" + gid);
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid CNB user name: " + name);
        }
        if (home == null || !home.startsWith("/") || home.contains(":") || home.contains("\n")
                || home.contains("/../") || home.endsWith("/..")) {
            throw new IllegalArgumentException("CNB user home must be an absolute path: " + home);
        }
    }

    /** The usual CNB user {@code cnb} with home {@code /home/cnb} and the given ids. */
    public static CnbUser of(int uid, int gid) {
        return new CnbUser(uid, gid, "cnb", "/home/cnb");
    }
}
