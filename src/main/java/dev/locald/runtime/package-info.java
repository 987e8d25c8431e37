/**
 * The container engine: OCI runtime specs from small options, runc runs with streamed output, exit
 * codes, signals, OOM, deadlines, cancellation, cgroup limits and the startup sweep. Never imports
 * the CNB packages. See docs/engine.md.
 */
package dev.locald.runtime;
