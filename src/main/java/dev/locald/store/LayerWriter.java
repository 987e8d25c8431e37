package dev.locald.store;

import java.io.IOException;
import java.nio.file.Path;

/** Fills an empty directory with one extracted layer (normally {@code LayerExtractor.extract}). */
@FunctionalInterface
public interface LayerWriter {

    void writeInto(Path emptyDir) throws IOException;
}
