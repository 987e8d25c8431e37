/**
 * Micrometer meters for builds, phases, the queue, pulls and the store, served as Prometheus text on
 * /q/metrics.
 */
package dev.locald.metrics;
