package dev.locald.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds an uncompressed layer tar entry by entry, in the order given, so that tests control exactly
 * what a layer holds (including hostile entries a well-behaved tool would never write).
 */
public final class LayerTar {

    private final List<Consumer<TarArchiveOutputStream>> entries = new ArrayList<>();
    private long mtime = 1_700_000_000L;

    public static LayerTar create() {
        return new LayerTar();
    }

    public LayerTar mtime(long epochSeconds) {
        this.mtime = epochSeconds;
        return this;
    }

    public LayerTar dir(String path, int mode, int uid, int gid) {
        return add(path.endsWith("/") ? path : path + "/", TarConstants.LF_DIR, mode, uid, gid, null, null);
    }

    public LayerTar dir(String path) {
        return dir(path, 0755, 0, 0);
    }

    public LayerTar file(String path, byte[] content, int mode, int uid, int gid) {
        return add(path, TarConstants.LF_NORMAL, mode, uid, gid, null, content);
    }

    public LayerTar file(String path, String content, int mode, int uid, int gid) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), mode, uid, gid);
    }

    public LayerTar file(String path, String content) {
        return file(path, content, 0644, 0, 0);
    }

    public LayerTar symlink(String path, String target) {
        return add(path, TarConstants.LF_SYMLINK, 0777, 0, 0, target, null);
    }

    public LayerTar hardlink(String path, String target) {
        return add(path, TarConstants.LF_LINK, 0644, 0, 0, target, null);
    }

    public LayerTar charDevice(String path, int major, int minor) {
        entries.add(out -> {
            TarArchiveEntry entry = new TarArchiveEntry(path, TarConstants.LF_CHR);
            entry.setMode(0666);
            entry.setDevMajor(major);
            entry.setDevMinor(minor);
            entry.setModTime(mtime * 1000);
            write(out, entry, null);
        });
        return this;
    }

    public LayerTar fifo(String path) {
        return add(path, TarConstants.LF_FIFO, 0644, 0, 0, null, null);
    }

    /** An OCI whiteout for {@code path}: {@code dir/.wh.name}. */
    public LayerTar whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash + 1);
        return file(parent + ".wh." + path.substring(slash + 1), new byte[0], 0644, 0, 0);
    }

    /** An OCI opaque marker for directory {@code dir}. */
    public LayerTar opaque(String dir) {
        String prefix = dir.isEmpty() || dir.endsWith("/") ? dir : dir + "/";
        return file(prefix + ".wh..wh..opq", new byte[0], 0644, 0, 0);
    }

    /** A static busybox at {@code /bin/busybox} with a symlink per applet, as in a minimal base image. */
    public LayerTar busybox() {
        Path binary = Path.of("/bin/busybox");
        try {
            byte[] content = Files.readAllBytes(binary);
            dir("bin");
            file("bin/busybox", content, 0755, 0, 0);
            Process list = new ProcessBuilder(binary.toString(), "--list")
                    .redirectErrorStream(true)
                    .start();
            String applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String applet : applets.split("\n")) {
                if (!applet.isBlank() && !applet.equals("busybox")) {
                    symlink("bin/" + applet.trim(), "busybox");
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("busybox-static is needed at /bin/busybox", e);
        }
    }

    /** Any raw entry, for hostile layers. */
    public LayerTar raw(Consumer<TarArchiveOutputStream> writer) {
        entries.add(writer);
        return this;
    }

    private LayerTar add(String path, byte type, int mode, int uid, int gid, String link, byte[] content) {
        entries.add(out -> {
            TarArchiveEntry entry = new TarArchiveEntry(path, type);
            entry.setMode(mode);
            entry.setUserId(uid);
            entry.setGroupId(gid);
            entry.setModTime(mtime * 1000);
            if (link != null) {
                entry.setLinkName(link);
            }
            if (content != null) {
                entry.setSize(content.length);
            }
            write(out, entry, content);
        });
        return this;
    }

    static void write(TarArchiveOutputStream out, TarArchiveEntry entry, byte[] content) {
        try {
            out.putArchiveEntry(entry);
            if (content != null) {
                out.write(content);
            }
            out.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The uncompressed tar bytes. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Consumer<TarArchiveOutputStream> entry : entries) {
                entry.accept(out);
            }
            out.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
