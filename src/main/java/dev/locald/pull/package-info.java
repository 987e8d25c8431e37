/**
 * Pulling an image into the store: resolve, download and verify every blob, extract each layer once,
 * record the image; leases keep images in use from collection.
 */
package dev.locald.pull;
