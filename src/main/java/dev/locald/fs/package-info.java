/**
 * File-system primitives every package shares: the one recursive delete and helpers that never follow
 * a symlink (lstat, owned files). A leaf.
 */
package dev.locald.fs;
