/**
 * The @ConfigMapping of every locald.* key (documented in docs/configuration.md) and the layout of
 * the data directory. A leaf.
 */
package dev.locald.config;
