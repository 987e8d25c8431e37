/**
 * The OCI distribution client: resolution of tags and indexes to the platform's manifest, verified
 * blob downloads, token auth and retries over java.net.http, registry credentials (request values and
 * docker config.json via jib-core) and the registry-host rules.
 */
package dev.locald.registry;
