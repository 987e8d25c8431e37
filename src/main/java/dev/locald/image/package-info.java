/**
 * Value types of OCI images and the CNB labels on them: references and registry hosts, digests, image
 * configs, layer descriptors, builder metadata, lifecycle APIs and the CNB user. A leaf: it parses,
 * it fetches nothing.
 */
package dev.locald.image;
