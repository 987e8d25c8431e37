/**
 * Assembling a container's root from extracted layers: an overlay mount (userxattr) over the shared
 * layer directories, or a flattened copy where overlay is unavailable.
 */
package dev.locald.rootfs;
