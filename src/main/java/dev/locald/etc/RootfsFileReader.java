package dev.locald.etc;

import dev.locald.fs.NoFollow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a small regular file of an image rootfs without ever following a link: every component of the
 * path is checked with lstat, so a symlink (even one pointing inside the root), FIFO, device, directory
 * or oversized file is refused instead of read. Safe by invariant: nothing runs on the rootfs while the
 * synthetic root is prepared.
 */
final class RootfsFileReader {

    /** The outcome: the bytes when the file was a usable regular file, otherwise why it was not read. */
    public record Result(Optional<byte[]> content, String refusal) {
        static Result read(byte[] bytes) {
            return new Result(Optional.of(bytes), null);
        }

        static Result refused(String why) {
            return new Result(Optional.empty(), why);
        }

        public boolean absent() {
            return content.isEmpty() && "absent".equals(refusal);
        }
    }

    private RootfsFileReader() {}

    /**
     * Reads {@code relative} (e.g. {@code etc/passwd}) below {@code root}.
     *
     * @param maxBytes files larger than this are refused, not truncated
     */
    public static Result read(Path root, String relative, long maxBytes) throws IOException {
        Path current = root;
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("not a plain relative path: " + relative);
            }
            current = current.resolve(part);
            BasicFileAttributes attributes = NoFollow.lstat(current);
            if (attributes == null) {
                return Result.refused("absent");
            }
            boolean last = i == parts.length - 1;
            if (attributes.isSymbolicLink()) {
                return Result.refused("/" + root.relativize(current) + " is a symbolic link");
            }
            if (!last && !attributes.isDirectory()) {
                return Result.refused("/" + root.relativize(current) + " is not a directory");
            }
            if (last && !attributes.isRegularFile()) {
                return Result.refused("/" + relative + " is not a regular file");
            }
            if (last && attributes.size() > maxBytes) {
                return Result.refused("/" + relative + " is larger than " + maxBytes + " bytes");
            }
        }
        // NOFOLLOW_LINKS opens with O_NOFOLLOW; the size is checked again on what was actually opened
        try (SeekableByteChannel channel =
                Files.newByteChannel(current, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            if (channel.size() > maxBytes) {
                return Result.refused("/" + relative + " is larger than " + maxBytes + " bytes");
            }
            InputStream in = Channels.newInputStream(channel);
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                return Result.refused("/" + relative + " is larger than " + maxBytes + " bytes");
            }
            return Result.read(bytes);
        }
    }
}
