package dev.locald.builds;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.config.DataLayout;
import dev.locald.fs.TreeDeleter;
import dev.locald.json.Json;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Build records on disk: {@code <dataDir>/builds/<id>/build.json}, next to the build's {@code log.ndjson};
 * the build's scratch space is {@code <dataDir>/work/<id>}. Records are replaced atomically (write a temp
 * file, fsync, rename), so a crash leaves the old or the new record, never half of one.
 */
public final class BuildStore {
    private static final Logger LOG = Logger.getLogger(BuildStore.class);
    private static final String RECORD = "build.json";

    private final Path buildsDir;
    private final Path workRoot;
    private final ObjectMapper json = Json.RECORDS;

    /** The store in the default layout under {@code dataDir}. */
    public BuildStore(Path dataDir) {
        this(DataLayout.under(dataDir));
    }

    public BuildStore(DataLayout layout) {
        this.buildsDir = layout.builds();
        this.workRoot = layout.work();
    }

    public Path buildDir(BuildId id) {
        return buildsDir.resolve(id.value());
    }

    public Path logFile(BuildId id) {
        return buildDir(id).resolve("log.ndjson");
    }

    /** The buildpacks' SBOM files kept from {@code layers/sbom}; absent when they wrote none. */
    public Path sbomDir(BuildId id) {
        return buildDir(id).resolve("sbom");
    }

    /** The exporter's report and the image's build metadata, as JSON; absent until a build succeeds. */
    public Path reportFile(BuildId id) {
        return buildDir(id).resolve("report.json");
    }

    public Path workDir(BuildId id) {
        return workRoot.resolve(id.value());
    }

    /** Writes the first record of a new build, creating its directory. */
    public void create(Build build) throws IOException {
        Files.createDirectories(buildsDir);
        Files.createDirectory(buildDir(build.id()));
        save(build);
    }

    /** Replaces the record atomically. */
    public void save(Build build) throws IOException {
        Path dir = buildDir(build.id());
        Path temp = dir.resolve(RECORD + ".tmp");
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(build);
        // FileOutputStream rather than a FileChannel: an interrupted caller must not close the file under us
        try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
            out.write(bytes);
            out.getFD().sync();
        }
        Files.move(temp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public Optional<Build> load(BuildId id) throws IOException {
        Path file = buildDir(id).resolve(RECORD);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(json.readValue(file.toFile(), Build.class));
    }

    /** Every readable record. Directories that are not build ids, or whose record is unreadable, are skipped with a warning. */
    public List<Build> loadAll() throws IOException {
        List<Build> builds = new ArrayList<>();
        if (!Files.isDirectory(buildsDir, LinkOption.NOFOLLOW_LINKS)) {
            return builds;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(buildsDir)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                Optional<BuildId> id = BuildId.parse(name);
                if (id.isEmpty()) {
                    LOG.warnf("ignoring %s: not a build directory", dir);
                    continue;
                }
                try {
                    load(id.get())
                            .ifPresentOrElse(builds::add, () -> LOG.warnf("ignoring %s: it has no %s", dir, RECORD));
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("ignoring %s: its record is unreadable (%s)", dir, e.getMessage());
                }
            }
        }
        return builds;
    }

    /** Removes the record, the log and the work directory of a build. */
    public void delete(BuildId id) throws IOException {
        TreeDeleter.deleteTree(workDir(id));
        TreeDeleter.deleteTree(buildDir(id));
    }
}
