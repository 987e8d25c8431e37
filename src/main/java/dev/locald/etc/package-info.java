/**
 * The synthetic /etc of a container (passwd, group, hosts, hostname, resolv.conf) built from the
 * image's own files without following links out of its root, so that the CNB user, DNS and hosts work
 * as docs/engine.md describes. May use config and fs.
 */
package dev.locald.etc;
