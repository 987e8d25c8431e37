package dev.locald.layer;

import dev.locald.image.Digest;
import dev.locald.image.LayerCompression;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Extracts OCI/Docker image layers securely.
 *
 * <ul>
 *   <li>{@link #extract} writes one layer into its own empty directory, ready to be an overlay lower dir
 *       mounted with {@code -o userxattr} (whiteouts as {@link OverlayWhiteouts xwhiteouts}).</li>
 *   <li>{@link #applyFlat} applies one layer onto a tree holding the layers below it (the copy fallback
 *       when overlay is unavailable): whiteouts delete.</li>
 * </ul>
 *
 * <p>Both verify the DiffID over the decompressed stream read to its end, and enforce {@link ExtractionLimits}.
 * Entry policy, the same in both modes:
 * <ul>
 *   <li>names: a leading {@code /} means the root; {@code ..} is refused; so is a parent that this layer
 *       made a symlink or file (paths are never resolved through links; usrmerge images put
 *       {@code lib -> usr/lib} in one layer and files under {@code usr/lib}, never through the link);</li>
 *   <li>a parent that a lower layer left as a symlink or file becomes a real directory in the flat tree, as
 *       the overlay mount of the same layers shows it (the lower dir cannot see lower layers);</li>
 *   <li>symlink targets are stored as given and never followed (Java drops a trailing or doubled
 *       {@code /} in them);</li>
 *   <li>hardlinks must name a regular file or symlink written earlier in the same layer;</li>
 *   <li>character and block devices and FIFOs are skipped with a warning (runc provides /dev; Java
 *       cannot mknod); an entry naming the root directory itself is ignored;</li>
 *   <li>sparse entries (old-GNU type {@code S}, PAX {@code GNU.sparse.*}) and header blocks with a wrong
 *       checksum are refused ({@link CheckedTarInputStream}): holes would be written as real zeros;</li>
 *   <li>xattrs and file capabilities from PAX headers are not applied (a layer must never set
 *       {@code user.overlay.*} markers of its own);</li>
 *   <li>names starting with {@code .wh.} are whiteouts and must be regular entries; {@code .wh.} alone,
 *       {@code .wh..}, {@code .wh...}, other {@code .wh..wh.*} names and {@code .wh.} directories on the
 *       way to an entry are refused.</li>
 * </ul>
 * Limits of the overlay form, shared with Docker's overlay2 (a lower dir cannot see the layers below it):
 * a parent directory the tar omits is created 0755 root and, being the upper-most copy, its attributes
 * win in the mount (real builders emit every parent); a whiteout in a directory that no lower layer has
 * shows as an empty file (it hides nothing anyway); an opaque marker on the root is refused, since
 * overlay ignores it there. {@link #applyFlat} sees the lower layers and has none of these limits.
 *
 * <p>The blob stream is consumed and closed. On any error the target may hold partial content; the caller extracts into a temporary directory and
 * deletes it with {@link TreeDeleter#deleteTree}.
 */
public final class LayerExtractor {

    private static final String WHITEOUT_PREFIX = ".wh.";
    private static final String OPAQUE_MARKER = ".wh..wh..opq";
    private static final int MAX_WARNINGS = 50;

    private final ExtractionLimits limits;

    public LayerExtractor(ExtractionLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Extracts one layer into {@code emptyTargetDir} (an existing, empty directory) as an overlay lower dir.
     *
     * @param compression the declared compression, or null to recognise it from the magic bytes
     */
    public ExtractedLayer extract(
            InputStream blob, LayerCompression compression, Digest expectedDiffId, Path emptyTargetDir)
            throws IOException {
        requireDirectory(emptyTargetDir);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(emptyTargetDir)) {
            if (children.iterator().hasNext()) {
                throw new IOException("extraction target is not empty: " + emptyTargetDir);
            }
        }
        LayerTree tree = new LayerTree(emptyTargetDir, false, limits);
        return apply(blob, compression, expectedDiffId, tree, new OverlayWhiteouts(tree));
    }

    /** Applies one layer onto {@code rootDir}, which holds the layers below it, deleting what it whites out. */
    public ExtractedLayer applyFlat(InputStream blob, LayerCompression compression, Digest expectedDiffId, Path rootDir)
            throws IOException {
        requireDirectory(rootDir);
        LayerTree tree = new LayerTree(rootDir, true, limits);
        return apply(blob, compression, expectedDiffId, tree, new DeletingWhiteouts(tree));
    }

    private ExtractedLayer apply(
            InputStream blob, LayerCompression compression, Digest expectedDiffId, LayerTree tree, Whiteouts whiteouts)
            throws IOException {
        Objects.requireNonNull(expectedDiffId, "expectedDiffId");
        List<String> warnings = new ArrayList<>();
        long skipped = 0;
        try (LayerStream layer = new LayerStream(blob, compression, limits)) {
            TarArchiveEntry entry;
            while ((entry = layer.next()) != null) {
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("layer extraction interrupted");
                }
                String name = entry.getName();
                EntryPath path = EntryPath.parse(name, limits.maxPathLength(), name);
                checkNoWhiteoutParent(path, name);
                if (path.name().startsWith(WHITEOUT_PREFIX)) {
                    whiteoutEntry(path, entry, whiteouts);
                    continue;
                }
                String skip = applyEntry(path, entry, tree, layer);
                if (skip != null) {
                    if (warnings.size() < MAX_WARNINGS) {
                        warnings.add(skip);
                    } else {
                        skipped++;
                    }
                }
            }
            whiteouts.finish();
            tree.finishDirectoryTimes();
            Digest diffId = layer.finish(expectedDiffId);
            if (skipped > 0) {
                warnings.add("… and " + skipped + " more entries skipped");
            }
            return new ExtractedLayer(diffId, layer.entries(), layer.tarBytes(), tree.fileBytes(), warnings);
        }
    }

    /** Applies one non-whiteout entry; returns a warning when the entry is deliberately skipped. */
    private String applyEntry(EntryPath path, TarArchiveEntry entry, LayerTree tree, LayerStream layer)
            throws IOException {
        String name = entry.getName();
        if (isDirectory(entry)) {
            tree.directoryEntry(path, entry);
            return null;
        }
        byte type = entry.getLinkFlag();
        switch (type) {
            // sparse entries (type 'S' included) never get here: LayerStream refuses them
            case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG ->
                tree.fileEntry(path, entry, layer);
            case TarConstants.LF_SYMLINK -> tree.symlinkEntry(path, entry);
            case TarConstants.LF_LINK ->
                tree.hardlinkEntry(path, EntryPath.parse(entry.getLinkName(), limits.maxPathLength(), name), entry);
            case TarConstants.LF_CHR, TarConstants.LF_BLK -> {
                return "skipped " + (type == TarConstants.LF_CHR ? "character" : "block") + " device '"
                        + EntryPath.abbreviate(name) + "' (" + entry.getDevMajor() + ":" + entry.getDevMinor()
                        + "): devices come from the runtime";
            }
            case TarConstants.LF_FIFO -> {
                return "skipped FIFO '" + EntryPath.abbreviate(name) + "'";
            }
            default ->
                throw new InvalidLayerException(
                        "layer entry '" + name + "': unsupported tar entry type '" + (char) type + "'");
        }
        return null;
    }

    private static void whiteoutEntry(EntryPath path, TarArchiveEntry entry, Whiteouts whiteouts) throws IOException {
        String name = entry.getName();
        String base = path.name();
        if (isDirectory(entry)
                || !(entry.getLinkFlag() == TarConstants.LF_NORMAL || entry.getLinkFlag() == TarConstants.LF_OLDNORM)) {
            throw new InvalidLayerException("layer entry '" + name + "': a whiteout must be a regular file");
        }
        if (base.equals(OPAQUE_MARKER)) {
            whiteouts.opaque(path.parent(), name);
            return;
        }
        String victim = base.substring(WHITEOUT_PREFIX.length());
        if (victim.isEmpty() || victim.equals(".") || victim.equals("..") || victim.startsWith(WHITEOUT_PREFIX)) {
            throw new InvalidLayerException("layer entry '" + name + "': invalid whiteout name");
        }
        whiteouts.whiteout(path.parent().child(victim), name);
    }

    /** By type flag; a trailing slash only counts for plain entries (old tars), not for links. */
    private static boolean isDirectory(TarArchiveEntry entry) {
        byte type = entry.getLinkFlag();
        return type == TarConstants.LF_DIR
                || ((type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM)
                        && entry.getName().endsWith("/"));
    }

    private static void checkNoWhiteoutParent(EntryPath path, String name) throws InvalidLayerException {
        List<String> components = path.components();
        for (int i = 0; i < components.size() - 1; i++) {
            if (components.get(i).startsWith(WHITEOUT_PREFIX)) {
                throw new InvalidLayerException("layer entry '" + name + "': a whiteout name cannot be a directory");
            }
        }
    }

    private static void requireDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("extraction target is not a directory: " + dir);
        }
    }
}
