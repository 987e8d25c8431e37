/**
 * Runs one CNB build: inspects the builder, prepares the workspace and caches, plans the phases with
 * lifecycle, runs each phase in a container through rootfs and runtime, and reads the report. The
 * only package that joins the platform contract to the engine. See docs/lifecycle.md and
 * docs/architecture.md.
 */
package dev.locald.cnb;
