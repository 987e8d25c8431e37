/**
 * The HTTP API: JAX-RS resources for /builds and /images, request parsing and validation (every field
 * checked once, references parsed into ImageReference values), views, and RFC 9457 problems. May use
 * every other package; nothing imports it. See docs/api.md.
 */
package dev.locald.api;
