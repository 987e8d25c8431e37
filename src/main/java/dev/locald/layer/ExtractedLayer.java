package dev.locald.layer;

import dev.locald.image.Digest;
import java.util.List;

/**
 * What extracting one layer produced.
 *
 * @param diffId       the verified sha256 of the decompressed tar stream
 * @param entries      tar entries read (whiteouts and skipped entries included)
 * @param tarBytes     decompressed bytes read, trailing bytes after the end-of-archive included
 * @param fileBytes    bytes written to regular files
 * @param warnings     entries deliberately not extracted (device nodes, FIFOs), one line each
 */
public record ExtractedLayer(Digest diffId, long entries, long tarBytes, long fileBytes, List<String> warnings) {

    public ExtractedLayer {
        warnings = List.copyOf(warnings);
    }
}
