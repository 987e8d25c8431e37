/**
 * The build queue and its records: admission, workers, deadlines, cancellation, state transitions and
 * the stored Build records under <data>/builds. Knows nothing of CNB: a BuildExecutor (implemented in
 * cnb) runs one build. May use config, fs, image, logs, registry (credential values) and source.
 */
package dev.locald.builds;
