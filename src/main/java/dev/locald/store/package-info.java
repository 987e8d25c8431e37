/**
 * The content-addressed store under the data directory: blobs, extracted layers and image records,
 * written atomically and single-flight, swept after a crash. Never imports the registry client.
 */
package dev.locald.store;
