package dev.locald.store;

import dev.locald.image.Digest;
import java.time.Instant;

/** A blob in the store, for accounting and cleanup. */
public record StoredBlob(Digest digest, long size, Instant lastUsed) {}
