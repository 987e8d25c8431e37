package dev.locald.store;

import dev.locald.image.Digest;
import java.nio.file.Path;
import java.time.Instant;

/** An extracted layer in the store, for accounting and cleanup. */
public record StoredLayer(Digest diffId, Path dir, Instant lastUsed) {}
