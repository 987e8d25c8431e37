package dev.locald.registry;

import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.store.BlobSource;
import dev.locald.store.BlobVerificationException;
import dev.locald.store.VerifyingOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads blobs from {@code /v2/<repo>/blobs/<digest>} (never from a descriptor's {@code urls}), checking
 * digest and size while the bytes stream: more bytes than the descriptor states stops the transfer at once,
 * fewer or different bytes fail with {@link RegistryException.Kind#DIGEST_MISMATCH}.
 */
public final class BlobFetcher {

    private static final List<String> ACCEPT = List.of("*/*");

    private final RegistryHttpClient http;

    public BlobFetcher(RegistryHttpClient http) {
        this.http = http;
    }

    /**
     * A source for {@link dev.locald.store.BlobStore#ensure}: each retry re-opens the store's sink, so a
     * transfer that broke off half way starts again from an empty temp file.
     */
    public BlobSource source(ImageReference image, Digest digest, long size, Optional<RegistryCredential> credential) {
        return sink -> http.fetch(image, "blobs/" + digest, ACCEPT, credential, subject(image, digest), response -> {
            try (OutputStream out = sink.open()) {
                copy(response, out, image, digest, size);
            }
            return null;
        });
    }

    /**
     * Streams the blob into {@code out} (left open). Failures before the first byte are retried; once bytes
     * have reached {@code out} a broken transfer cannot be undone here, so it fails (use {@link #source}
     * for a restartable download).
     */
    public void fetch(
            ImageReference image, Digest digest, long size, Optional<RegistryCredential> credential, OutputStream out) {
        AtomicLong delivered = new AtomicLong();
        OutputStream counting = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                delivered.addAndGet(len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        http.fetch(image, "blobs/" + digest, ACCEPT, credential, subject(image, digest), response -> {
            if (delivered.get() > 0) {
                throw new RegistryException(
                        RegistryException.Kind.UNREACHABLE,
                        "download of " + subject(image, digest) + " broke off after " + delivered.get() + " bytes");
            }
            copy(response, counting, image, digest, size);
            return null;
        });
    }

    /** Fetches a small blob (a config) into memory; {@code size} must already have been checked. */
    public byte[] fetchBytes(ImageReference image, Digest digest, long size, Optional<RegistryCredential> credential) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new RegistryException(
                    RegistryException.Kind.TOO_LARGE,
                    subject(image, digest) + " is too large (" + size + " bytes) to hold in memory");
        }
        return http.fetch(image, "blobs/" + digest, ACCEPT, credential, subject(image, digest), response -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream((int) Math.min(size, 1 << 20));
            copy(response, buffer, image, digest, size);
            return buffer.toByteArray();
        });
    }

    private static void copy(
            RegistryHttpClient.Opened response, OutputStream target, ImageReference image, Digest digest, long size)
            throws IOException {
        long announced = response.contentLength();
        if (announced >= 0 && announced != size) {
            throw new RegistryException(
                    RegistryException.Kind.DIGEST_MISMATCH,
                    "blob " + digest + " of " + image + " is served with " + announced
                            + " bytes but its descriptor states " + size);
        }
        VerifyingOutputStream verifying = new VerifyingOutputStream(target, digest, size);
        try {
            response.body().transferTo(verifying);
            verifying.flush();
            verifying.verify();
        } catch (BlobVerificationException e) {
            throw new RegistryException(
                    RegistryException.Kind.DIGEST_MISMATCH, e.getMessage() + " (from " + image.registry() + ")", e);
        }
    }

    private static String subject(ImageReference image, Digest digest) {
        return "blob " + digest + " of " + image.name();
    }
}
