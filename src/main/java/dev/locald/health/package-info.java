/**
 * Readiness, liveness and startup checks: each reports UP only when a build would work (runc, data
 * directory, overlay mode, workers, queue, startup recovery). See docs/operations.md.
 */
package dev.locald.health;
