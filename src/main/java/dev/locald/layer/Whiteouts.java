package dev.locald.layer;

import java.io.IOException;

/** What a layer's whiteout entries do to the tree: mark them for overlay, or delete lower content. */
interface Whiteouts {

    /** {@code .wh.NAME}: {@code path} (NAME in its parent) from lower layers is gone. */
    void whiteout(EntryPath path, String entryName) throws IOException;

    /** {@code .wh..wh..opq}: every child of {@code dir} from lower layers is gone. */
    void opaque(EntryPath dir, String entryName) throws IOException;

    /** Called once after the last entry, before directory times are applied. */
    void finish() throws IOException;
}
