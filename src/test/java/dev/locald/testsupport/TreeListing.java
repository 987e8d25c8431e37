package dev.locald.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A tree as comparable text, one line per path: type, mode (with setuid/setgid/sticky), owner, size,
 * link target and content sha256. Never follows links.
 */
public final class TreeListing {

    private TreeListing() {}

    public static SortedMap<String, String> of(Path root) throws IOException {
        SortedMap<String, String> lines = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root)) {
                    lines.put("/" + root.relativize(dir), describe(dir));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                lines.put("/" + root.relativize(file), describe(file));
                return FileVisitResult.CONTINUE;
            }
        });
        return lines;
    }

    public static String describe(Path path) throws IOException {
        LinkOption nofollow = LinkOption.NOFOLLOW_LINKS;
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, nofollow);
        int mode = (Integer) Files.getAttribute(path, "unix:mode", nofollow);
        String owner =
                Files.getAttribute(path, "unix:uid", nofollow) + ":" + Files.getAttribute(path, "unix:gid", nofollow);
        if (attributes.isSymbolicLink()) {
            return "l " + owner + " -> " + Files.readSymbolicLink(path);
        }
        String perms = String.format("%04o", mode & 07777);
        if (attributes.isDirectory()) {
            return "d " + perms + " " + owner;
        }
        if (attributes.isRegularFile()) {
            return "f " + perms + " " + owner + " " + attributes.size() + " " + sha256(path);
        }
        return "? " + perms + " " + owner;
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
