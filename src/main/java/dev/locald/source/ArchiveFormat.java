package dev.locald.source;

/** The kinds of source archive locald accepts, recognised by their magic bytes, never by file name. */
public enum ArchiveFormat {
    TAR("tar"),
    TAR_GZIP("tar.gz"),
    ZIP("zip");

    private final String extension;

    ArchiveFormat(String extension) {
        this.extension = extension;
    }

    /** The file name extension of a stored source, e.g. {@code source.tar.gz}. */
    public String extension() {
        return extension;
    }
}
