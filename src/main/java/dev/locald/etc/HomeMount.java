package dev.locald.etc;

/**
 * A home directory the image lacks: mounted as a fresh tmpfs owned by the user, so that nothing is
 * written into shared image layers.
 */
public record HomeMount(String path, int uid, int gid) {}
