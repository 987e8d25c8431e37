package dev.locald.source;

import dev.locald.fs.OwnedFiles;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.layer.CheckedTarInputStream;
import dev.locald.lifecycle.BuildpackRef;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Enumeration;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Puts a build's source into its per-build workspace, owned by the CNB user: a request's archive
 * (tar, tar.gz or zip, recognised by magic bytes, not by name), a server-side directory, or a commit of a
 * git repository ({@link GitFetcher}). The defences
 * are those of image layers (see {@link WorkspaceWriter}); devices, FIFOs and sockets are refused, and so
 * are bombs (entry count, expanded size, expansion ratio) and truncated archives. On any failure the
 * workspace is deleted, so the caller never sees a partial one.
 */
public final class SourceUnpacker {

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int MAX_SYMLINK_TARGET = 4096;

    private final SourceLimits limits;

    public SourceUnpacker(SourceLimits limits) {
        this.limits = limits;
    }

    /**
     * Fetches a git source's commit and writes its files into {@code workspace} under this unpacker's limits;
     * see {@link GitFetcher#fetch}. {@code gitDir} is the build's scratch repository, deleted afterwards.
     */
    public String fetchGit(
            GitSource source,
            java.util.Optional<GitCredential> auth,
            Path gitDir,
            Path workspace,
            CnbUser owner,
            GitFetcher.Listener listener,
            java.time.Duration remaining)
            throws GitFetchException, SourceArchiveException, IOException {
        return new GitFetcher(limits).fetch(source, auth, gitDir, workspace, owner, listener, remaining);
    }

    /**
     * The project descriptor at the root of an uploaded archive, read before anything is unpacked so that its
     * include/exclude can apply while the archive is written; the last such entry wins, as it would on disk.
     * An archive that cannot even be listed yields nothing here: {@link #unpack} then reports what is wrong
     * with it, entry by entry.
     */
    public Optional<byte[]> descriptor(Path archive, ArchiveFormat format) throws SourceArchiveException {
        Optional<byte[]> found = Optional.empty();
        if (format == ArchiveFormat.ZIP) {
            try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
                for (ZipArchiveEntry e : java.util.Collections.list(zip.getEntriesInPhysicalOrder())) {
                    if (isDescriptor(e.getName()) && !e.isDirectory() && !e.isUnixSymlink()) {
                        try (InputStream in = zip.getInputStream(e)) {
                            found = Optional.of(readDescriptor(in));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
            return found;
        }
        try (InputStream raw = Files.newInputStream(archive);
                InputStream in = format == ArchiveFormat.TAR
                        ? new BufferedInputStream(raw)
                        : new GzipCompressorInputStream(new BufferedInputStream(raw), true);
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (isDescriptor(e.getName()) && e.isFile()) {
                    found = Optional.of(readDescriptor(tar));
                }
            }
        } catch (IOException | RuntimeException e) {
            return found;
        }
        return found;
    }

    /** The project descriptor at the root of a server-side source directory, not following a link. */
    public Optional<byte[]> descriptor(Path directory) throws SourceArchiveException, IOException {
        Path file = directory.resolve(ProjectDescriptor.FILE);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new SourceArchiveException("project.toml at the root of the source is not a regular file");
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(readDescriptor(in));
        }
    }

    private static boolean isDescriptor(String name) {
        return SourceFilter.normalise(name).equals(ProjectDescriptor.FILE);
    }

    static byte[] readDescriptor(InputStream in) throws IOException, SourceArchiveException {
        byte[] bytes = in.readNBytes((int) ProjectDescriptor.MAX_BYTES + 1);
        if (bytes.length > ProjectDescriptor.MAX_BYTES) {
            throw new SourceArchiveException(
                    "project.toml is larger than " + ProjectDescriptor.MAX_BYTES + " bytes; it cannot be a descriptor");
        }
        return bytes;
    }

    /**
     * Fetches a git source's commit without writing it yet ({@link GitFetcher#open}); the caller closes it.
     */
    public GitFetcher.Fetched openGit(
            GitSource source,
            Optional<GitCredential> auth,
            Path gitDir,
            GitFetcher.Listener listener,
            java.time.Duration remaining)
            throws GitFetchException, SourceArchiveException, IOException {
        return new GitFetcher(limits).open(source, auth, gitDir, listener, remaining);
    }

    /**
     * Unpacks {@code archive} into {@code workspace}.
     *
     * @param format    what {@link SourceArchiveSniffer} found when the archive was accepted; the content is
     *                  still checked entry by entry while unpacking
     * @param workspace must not exist yet (its parent must), or be an empty real directory; it is created
     *                  0755 and owned by {@code owner}
     * @throws SourceArchiveException for anything wrong with the archive; the workspace is gone afterwards
     */
    public void unpack(Path archive, ArchiveFormat format, Path workspace, CnbUser owner)
            throws SourceArchiveException, IOException {
        unpack(archive, format, workspace, owner, SourceFilter.ALL);
    }

    /** {@link #unpack(Path, ArchiveFormat, Path, CnbUser)} writing only the entries {@code filter} keeps. */
    public void unpack(Path archive, ArchiveFormat format, Path workspace, CnbUser owner, SourceFilter filter)
            throws SourceArchiveException, IOException {
        prepare(workspace, owner);
        try {
            long size;
            try {
                size = Files.size(archive);
            } catch (NoSuchFileException e) {
                throw new SourceArchiveException("the source archive " + archive + " does not exist", e);
            }
            WorkspaceWriter writer = new WorkspaceWriter(workspace, owner, limits, size, filter);
            if (format == ArchiveFormat.ZIP) {
                unzip(archive, writer);
            } else {
                try (InputStream raw = Files.newInputStream(archive)) {
                    // decompressConcatenated: `cat a.gz b.gz` is one valid gzip stream
                    untar(
                            format == ArchiveFormat.TAR
                                    ? raw
                                    : ArchiveRead.of(
                                            () -> new GzipCompressorInputStream(new BufferedInputStream(raw), true)),
                            format,
                            writer);
                }
            }
        } catch (SourceArchiveException e) {
            discard(workspace, e);
            throw e;
        } catch (IOException | RuntimeException e) {
            // Reading the archive is wrapped in ArchiveRead, so what is left is the server's side (disk full,
            // permissions): not the client's fault, so not a SourceArchiveException.
            discard(workspace, e);
            throw e;
        }
    }

    /**
     * Copies the server-side directory {@code source} into {@code workspace}. {@code source} itself must be a
     * real directory (resolve any link in its configured path first); below it links are never followed:
     * relative symlinks staying inside are copied as links, others are refused, as are special files.
     */
    public void copyDirectory(Path source, Path workspace, CnbUser owner) throws SourceArchiveException, IOException {
        copyDirectory(source, workspace, owner, SourceFilter.ALL);
    }

    /** {@link #copyDirectory(Path, Path, CnbUser)} copying only the entries {@code filter} keeps. */
    public void copyDirectory(Path source, Path workspace, CnbUser owner, SourceFilter filter)
            throws SourceArchiveException, IOException {
        try {
            OwnedFiles.requireRealDirectory(source, "source directory");
        } catch (IOException e) {
            throw new SourceArchiveException(e.getMessage(), e);
        }
        prepare(workspace, owner);
        WorkspaceWriter writer = new WorkspaceWriter(workspace, owner, limits, 0, filter);
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                    String rel = relative(source, dir);
                    if (!rel.isEmpty() && filter.skipsTree(rel)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!rel.isEmpty()) {
                        copy(writer, rel, dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    copy(writer, relative(source, file), file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    throw e;
                }
            });
        } catch (WrappedSourceException e) {
            discard(workspace, e.getCause());
            throw (SourceArchiveException) e.getCause();
        } catch (IOException | RuntimeException e) {
            discard(workspace, e);
            throw new SourceArchiveException("cannot copy the source directory " + source + ": " + e.getMessage(), e);
        }
    }

    private void copy(WorkspaceWriter writer, String rel, Path path) throws IOException {
        try {
            writer.countEntry(rel);
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!writer.keeps(rel, a.isDirectory())) {
                return;
            }
            int mode = mode(a);
            if (a.isDirectory()) {
                writer.directory(rel, mode);
            } else if (a.isSymbolicLink()) {
                writer.symlink(rel, Files.readSymbolicLink(path).toString());
            } else if (a.isRegularFile()) {
                try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                    writer.file(rel, mode, in);
                }
            } else {
                throw new SourceArchiveException("source entry " + BuildpackRef.quote(rel)
                        + " is a device, FIFO or socket; only files, directories and links can be copied");
            }
        } catch (SourceArchiveException e) {
            throw new WrappedSourceException(e);
        }
    }

    private static int mode(PosixFileAttributes a) {
        int mode = 0;
        for (var p : a.permissions()) {
            mode |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 → bit 8
        }
        return mode;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString();
    }

    /** Carries a {@link SourceArchiveException} through {@link java.nio.file.FileVisitor}'s IOException-only API. */
    private static final class WrappedSourceException extends IOException {
        WrappedSourceException(SourceArchiveException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** ustar/GNU magic in the first header, or an all-zero block (an empty tar). */
    private static boolean isTar(byte[] head) {
        if (head.length < 512) {
            return false;
        }
        if (TarArchiveInputStream.matches(head, head.length)) {
            return true;
        }
        for (byte b : head) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void untar(InputStream raw, ArchiveFormat format, WorkspaceWriter writer)
            throws IOException, SourceArchiveException {
        try (BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024)) {
            in.mark(512);
            byte[] head = ArchiveRead.of(() -> in.readNBytes(512));
            in.reset();
            if (!isTar(head)) {
                throw new SourceArchiveException(
                        format == ArchiveFormat.TAR_GZIP
                                ? "the gzip stream does not contain a tar archive"
                                : "the source is not a tar, tar.gz or zip archive");
            }
            MarkerCheckingTarInputStream tar = new MarkerCheckingTarInputStream(in);
            TarArchiveEntry e;
            while ((e = ArchiveRead.of(tar::getNextEntry)) != null) {
                String name = e.getName();
                writer.countEntry(name);
                String sparse = CheckedTarInputStream.sparseForm(e);
                if (sparse != null) {
                    throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " is " + sparse
                            + "; source archives may contain only plain files, directories and links");
                }
                if (!writer.keeps(name, e.isDirectory())) {
                    continue; // the next getNextEntry skips its content
                }
                int mode = e.getMode() & 07777;
                if (e.isDirectory()) {
                    writer.directory(name, mode);
                } else if (e.isSymbolicLink()) {
                    writer.symlink(name, e.getLinkName());
                } else if (e.isLink()) {
                    writer.hardlink(name, e.getLinkName());
                } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    throw new SourceArchiveException(
                            "entry " + BuildpackRef.quote(name)
                                    + " is a device node or FIFO; source archives may contain only files, directories and links");
                } else if (e.isFile()) {
                    writer.file(name, mode, tar);
                    if (tar.available() > 0 || tar.read() != -1) {
                        throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " was not fully read");
                    }
                } else {
                    throw new SourceArchiveException("entry " + BuildpackRef.quote(name)
                            + " has an unsupported tar type '" + (char) e.getLinkFlag() + "'");
                }
            }
            if (tar.endedWithoutMarker()) {
                throw new SourceArchiveException(
                        "the source archive is truncated: the tar stream ends without its end-of-archive blocks");
            }
        }
    }

    /**
     * Refuses header blocks with a wrong checksum ({@link CheckedTarInputStream}) and notices a tar that
     * simply stops after some entry: commons-compress treats that like a proper end, but a real tar always
     * closes with zero blocks, so a missing one means the upload was cut short.
     */
    private static final class MarkerCheckingTarInputStream extends CheckedTarInputStream {
        private boolean sawZeroRecord;

        MarkerCheckingTarInputStream(InputStream in) {
            super(in);
        }

        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record != null && isZero(record)) {
                sawZeroRecord = true; // one zero block is enough; some writers omit the second
            }
            return record;
        }

        boolean endedWithoutMarker() {
            return !sawZeroRecord;
        }

        private static boolean isZero(byte[] record) {
            for (byte b : record) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private void unzip(Path archive, WorkspaceWriter writer) throws IOException, SourceArchiveException {
        try (ZipFile zip =
                ArchiveRead.of(() -> ZipFile.builder().setPath(archive).get())) {
            Enumeration<ZipArchiveEntry> entries = zip.getEntriesInPhysicalOrder();
            while (entries.hasMoreElements()) {
                ZipArchiveEntry e = entries.nextElement();
                String name = e.getName();
                writer.countEntry(name);
                boolean directory = e.isDirectory()
                        || (e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && (e.getUnixMode() & S_IFMT) == S_IFDIR);
                if (!writer.keeps(name, directory)) {
                    continue;
                }
                if (!zip.canReadEntryData(e)) {
                    throw new SourceArchiveException("zip entry " + BuildpackRef.quote(name)
                            + " uses encryption or a compression method that cannot be read");
                }
                int unixMode = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() : 0;
                int type = unixMode & S_IFMT;
                int mode = unixMode & 07777;
                if (e.isUnixSymlink()) {
                    String target;
                    try (InputStream in = ArchiveRead.of(() -> zip.getInputStream(e))) {
                        byte[] b = ArchiveRead.of(() -> in.readNBytes(MAX_SYMLINK_TARGET + 1));
                        if (b.length > MAX_SYMLINK_TARGET) {
                            throw new SourceArchiveException(
                                    "zip symlink " + BuildpackRef.quote(name) + " has an over-long target");
                        }
                        target = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                    }
                    writer.symlink(name, target);
                } else if (e.isDirectory() || type == S_IFDIR) {
                    writer.directory(name, mode == 0 ? 0755 : mode);
                } else if (type == 0 || type == S_IFREG) {
                    try (InputStream in = ArchiveRead.of(() -> zip.getInputStream(e))) {
                        writer.file(name, mode == 0 ? 0644 : mode, in);
                    }
                } else {
                    throw new SourceArchiveException(
                            "zip entry " + BuildpackRef.quote(name)
                                    + " is a device node, FIFO or socket; source archives may contain only files, directories and links");
                }
            }
        }
    }

    static void prepare(Path workspace, CnbUser owner) throws IOException, SourceArchiveException {
        if (Files.exists(workspace, LinkOption.NOFOLLOW_LINKS)) {
            OwnedFiles.requireRealDirectory(workspace, "workspace");
            try (var list = Files.list(workspace)) {
                if (list.findAny().isPresent()) {
                    throw new SourceArchiveException("workspace " + workspace + " is not empty");
                }
            }
        } else {
            Files.createDirectory(workspace);
        }
        OwnedFiles.chmod(workspace, "rwxr-xr-x");
        OwnedFiles.chown(workspace, owner.uid(), owner.gid());
    }

    static void discard(Path workspace, Throwable cause) {
        try {
            TreeDeleter.deleteTree(workspace);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
