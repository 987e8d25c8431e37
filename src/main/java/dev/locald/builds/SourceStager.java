package dev.locald.builds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Turns a submitted source into the build's {@link BuildSource}: an upload moves into the build's work
 * directory as {@code source.<ext>} (so deleting the build deletes it), a server directory stays where it is,
 * a git repository is fetched later, by the build (not in the request thread), and a rebase has none.
 */
final class SourceStager {

    private SourceStager() {}

    static BuildSource stage(SourceSubmission source, Path workDir) throws IOException {
        if (source instanceof SourceSubmission.Upload upload) {
            Path stored = workDir.resolve("source." + upload.format().extension());
            Files.move(upload.tempFile(), stored, StandardCopyOption.REPLACE_EXISTING);
            return new BuildSource.Archive(stored, upload.format());
        }
        if (source instanceof SourceSubmission.Git git) {
            return new BuildSource.Git(git.source(), git.auth());
        }
        if (source instanceof SourceSubmission.None) {
            return new BuildSource.None();
        }
        return new BuildSource.Directory(((SourceSubmission.Directory) source).path());
    }
}
