/**
 * App sources: sniffing the archive format at submission and unpacking tar, tar.gz, zip or a
 * directory into /workspace with the same defences as layer extraction, owned by the CNB user.
 */
package dev.locald.source;
