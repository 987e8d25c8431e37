package dev.locald.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/** Error text for TOML parse failures that never echoes the document (it may be attacker-chosen). */
final class TomlErrors {
    private TomlErrors() {}

    static String location(IOException e) {
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            return " (line " + jpe.getLocation().getLineNr() + ", column "
                    + jpe.getLocation().getColumnNr() + ")";
        }
        return "";
    }
}
