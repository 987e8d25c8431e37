package dev.locald.builds;

import dev.locald.source.ArchiveFormat;
import java.nio.file.Path;
import java.util.Objects;

/** The source as handed to {@link BuildService#submit}: an upload still outside the data directory, or a server directory. */
public sealed interface SourceSubmission {

    /** A validated upload in a temporary file (outside the data directory); the service moves it in. */
    record Upload(Path tempFile, ArchiveFormat format) implements SourceSubmission {
        public Upload {
            Objects.requireNonNull(tempFile, "tempFile");
            Objects.requireNonNull(format, "format");
        }
    }

    record Directory(Path path) implements SourceSubmission {
        public Directory {
            Objects.requireNonNull(path, "path");
        }
    }
}
