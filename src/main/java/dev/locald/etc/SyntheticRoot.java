package dev.locald.etc;

import static dev.locald.fs.NoFollow.lstat;

import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.image.NetworkMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Turns an image rootfs into a working POSIX environment (docs/engine.md §1, §2): generates
 * {@code /etc/passwd}, {@code /etc/group}, {@code /etc/resolv.conf}, {@code /etc/hosts} and
 * {@code /etc/hostname} into a per-run directory outside the rootfs, to be bind-mounted read-only.
 *
 * <p>The image's passwd and group are read without following links and are kept when valid. Where the
 * image put a symlink, FIFO, device or directory in place of one of these files, the entry is replaced
 * by an empty regular file (moby's init layer does the same) so that the bind mount lands on it and
 * nothing is ever read or written through it; the rootfs must therefore be the run's own writable root
 * (an overlay with a per-run upper dir).
 */
public final class SyntheticRoot {

    private static final Logger LOG = Logger.getLogger(SyntheticRoot.class);

    /** Largest image passwd or group file read (larger is treated as invalid and replaced). */
    public static final long MAX_USER_FILE_BYTES = 1024 * 1024;

    static final List<String> ETC_FILES = List.of("passwd", "group", "resolv.conf", "hosts", "hostname");

    /**
     * What the synthetic root depends on for one run.
     *
     * @param user     whom the build runs as; its ids are never assumed
     * @param userName the name given to the user when the image has no passwd entry for its uid
     * @param userHome the home given to the user when the image has no passwd entry for its uid
     */
    public record Request(
            CnbUser user,
            String userName,
            String userHome,
            String hostname,
            List<HostEntry> extraHosts,
            NetworkMode network) {

        static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");

        public Request {
            if (user == null || network == null) {
                throw new IllegalArgumentException("user and network are required");
            }
            if (userName == null || !NAME.matcher(userName).matches()) {
                throw new IllegalArgumentException("invalid CNB user name: " + userName);
            }
            if (userHome == null
                    || !userHome.startsWith("/")
                    || userHome.contains(":")
                    || userHome.contains("\n")
                    || userHome.contains("/../")
                    || userHome.endsWith("/..")) {
                throw new IllegalArgumentException("CNB user home must be an absolute path: " + userHome);
            }
            HostEntry.requireHostname(hostname);
            extraHosts = List.copyOf(extraHosts);
        }

        /** The usual CNB user name {@code cnb} with home {@code /home/cnb}. */
        public Request(CnbUser user, String hostname, List<HostEntry> extraHosts, NetworkMode network) {
            this(user, "cnb", "/home/cnb", hostname, extraHosts, network);
        }
    }

    private final ResolvConf resolvConf;

    public SyntheticRoot(ResolvConf resolvConf) {
        this.resolvConf = resolvConf;
    }

    /** How resolv.conf is derived; an isolated network's DNS forwarder follows the same host file. */
    public ResolvConf resolvConf() {
        return resolvConf;
    }

    /**
     * Writes the generated files into {@code outputDir} (an existing, empty directory outside the
     * rootfs) and neutralizes unsafe mount targets in {@code rootfs}.
     */
    public PreparedRoot prepare(Path rootfs, Path outputDir, Request request) throws IOException {
        if (!Files.isDirectory(rootfs, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("rootfs is not a directory: " + rootfs);
        }
        CnbUser user = request.user();
        PasswdFile passwd = imageFile(rootfs, "etc/passwd", PasswdFile::parse)
                .orElseGet(PasswdFile::empty)
                .withBuildUsers(user, request.userName(), request.userHome());
        GroupFile group = imageFile(rootfs, "etc/group", GroupFile::parse)
                .orElseGet(GroupFile::empty)
                .withBuildGroups(user, request.userName());

        List<SyntheticFile> files = new ArrayList<>();
        files.add(write(outputDir, "passwd", passwd.render()));
        files.add(write(outputDir, "group", group.render()));
        files.add(write(outputDir, "resolv.conf", resolvConf.render(request.network())));
        files.add(write(outputDir, "hosts", HostsFile.render(request.hostname(), request.extraHosts())));
        files.add(write(outputDir, "hostname", request.hostname() + "\n"));
        prepareMountTargets(rootfs);

        String home = passwd.byUid(user.uid()).map(PasswdFile.Entry::home).orElse(request.userHome());
        Optional<HomeMount> homeMount = needsHomeMount(rootfs, home)
                ? Optional.of(new HomeMount(home, user.uid(), user.gid()))
                : Optional.empty();
        return new PreparedRoot(files, passwd, group, homeMount);
    }

    private interface Parser<T> {
        Optional<T> parse(String text);
    }

    private static <T> Optional<T> imageFile(Path rootfs, String relative, Parser<T> parser) throws IOException {
        RootfsFileReader.Result read = RootfsFileReader.read(rootfs, relative, MAX_USER_FILE_BYTES);
        if (read.content().isEmpty()) {
            if (!read.absent()) {
                LOG.warnf("image /%s not used, a synthetic one replaces it: %s", relative, read.refusal());
            }
            return Optional.empty();
        }
        String text = new String(read.content().get(), StandardCharsets.ISO_8859_1);
        Optional<T> parsed = text.indexOf('\0') >= 0 ? Optional.empty() : parser.parse(text);
        if (parsed.isEmpty()) {
            LOG.warnf("image /%s is not valid, a synthetic one replaces it", relative);
        }
        return parsed;
    }

    private static SyntheticFile write(Path outputDir, String name, String content) throws IOException {
        Path file = outputDir.resolve(name);
        Files.writeString(
                file, content, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        // readable by the unprivileged container user whatever the service's umask is
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return new SyntheticFile(file, "/etc/" + name);
    }

    /**
     * Makes {@code /etc} a real directory and each of our files either absent (runc creates it) or a
     * regular file, so that the bind mounts never follow an image symlink.
     */
    static void prepareMountTargets(Path rootfs) throws IOException {
        Path etc = rootfs.resolve("etc");
        BasicFileAttributes etcAttributes = lstat(etc);
        if (etcAttributes != null && !etcAttributes.isDirectory()) {
            LOG.warnf("image /etc is not a directory; removed (runc creates a directory for the mounts)");
            TreeDeleter.deleteTree(etc);
        }
        if (etcAttributes == null || !etcAttributes.isDirectory()) {
            return;
        }
        for (String name : ETC_FILES) {
            Path target = etc.resolve(name);
            BasicFileAttributes attributes = lstat(target);
            if (attributes != null && !attributes.isRegularFile()) {
                LOG.warnf("image /etc/%s is not a regular file; replaced by an empty one", name);
                TreeDeleter.deleteTree(target);
                Files.createFile(target);
            }
        }
    }

    static boolean needsHomeMount(Path rootfs, String home) throws IOException {
        Path current = rootfs;
        for (String part : home.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            current = current.resolve(part);
            BasicFileAttributes attributes = lstat(current);
            if (attributes == null || !attributes.isDirectory()) {
                return true;
            }
        }
        return false;
    }
}
