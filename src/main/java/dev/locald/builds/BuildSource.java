package dev.locald.builds;

import dev.locald.source.ArchiveFormat;
import dev.locald.source.GitCredential;
import dev.locald.source.GitSource;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** Where a build's application source is. */
public sealed interface BuildSource {

    /**
     * An uploaded archive as stored by locald under the build's work directory. It is not unpacked yet:
     * the executor unpacks it with the same defences as image layers.
     */
    record Archive(Path file, ArchiveFormat format) implements BuildSource {
        public Archive {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(format, "format");
        }
    }

    /** A directory on the server, allowed only where {@code locald.builds.allow-source-path} is on. */
    record Directory(Path path) implements BuildSource {
        public Directory {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A git repository: the executor fetches the commit into the build's work directory and writes its files
     * into the workspace with the defences of an archive. {@code auth} is memory only, like registryAuth.
     */
    record Git(GitSource source, Optional<GitCredential> auth) implements BuildSource {
        public Git {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(auth, "auth");
        }
    }

    /** No source: a rebase works on a published image. */
    record None() implements BuildSource {}
}
