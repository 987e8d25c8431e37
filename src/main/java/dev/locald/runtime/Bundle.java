package dev.locald.runtime;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.locald.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OCI bundle directory for one run: {@code config.json} (root.path is absolute, so nothing else is
 * needed by runc), plus locald's own files for the run: the synthetic {@code etc/} and runc's log.
 */
public record Bundle(Path dir) {

    private static final ObjectWriter JSON = Json.PLAIN.writerWithDefaultPrettyPrinter();

    public Path configFile() {
        return dir.resolve("config.json");
    }

    /** Where the synthetic /etc files are generated. */
    public Path etcDir() {
        return dir.resolve("etc");
    }

    /** runc's own log (its errors, separate from the container's stderr). */
    public Path runcLog() {
        return dir.resolve("runc.log");
    }

    public static String toJson(RuntimeSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (IOException e) {
            throw new IllegalStateException("runtime spec not serializable", e);
        }
    }

    public void writeConfig(RuntimeSpec spec) throws IOException {
        Files.writeString(configFile(), toJson(spec), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
