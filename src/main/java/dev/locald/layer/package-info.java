/**
 * Secure extraction of image layers (tar, gzip, zstd) into a root: every path resolved inside the
 * root without following links out, limits on sizes and counts, whiteouts as overlay xattrs or
 * deletions, DiffID checked on the decompressed stream. umoci's oci/layer in spirit. See
 * docs/security.md.
 */
package dev.locald.layer;
