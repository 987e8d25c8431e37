/**
 * Scheduled and startup clean-up: build retention, store garbage collection by image use and size,
 * orphan containers, mounts and work directories, and crash recovery of interrupted builds. Never
 * follows a symlink.
 */
package dev.locald.janitor;
