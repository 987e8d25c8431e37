package dev.locald.runtime;

/** Validation of paths as the container sees them. */
final class ContainerPathCheck {

    private ContainerPathCheck() {}

    /** An absolute, normalized path without {@code .}/{@code ..} components, NUL or newline. */
    static String requireAbsolute(String path, String what) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(what + " must be an absolute path: " + path);
        }
        for (String part : path.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(what + " must not contain . or .. components: " + path);
            }
        }
        return path;
    }
}
