package dev.locald.builds;

import dev.locald.source.ArchiveFormat;
import dev.locald.source.GitCredential;
import dev.locald.source.GitSource;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The source as handed to {@link BuildService#submit}: an upload still outside the data directory, a server
 * directory, or a git repository to fetch when the build runs.
 */
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

    /** A git repository, fetched by the build itself; {@code auth} stays in memory (never in the record). */
    record Git(GitSource source, Optional<GitCredential> auth) implements SourceSubmission {
        public Git {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(auth, "auth");
        }
    }

    /** No source: a rebase works on a published image (docs/api.md, {@code kind}). */
    record None() implements SourceSubmission {}
}
