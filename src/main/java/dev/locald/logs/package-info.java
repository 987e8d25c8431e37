/**
 * Per-build logs: the NDJSON file and memory window, live followers, and redaction of secrets before
 * anything is stored or sent. A leaf.
 */
package dev.locald.logs;
