/**
 * The named Jackson mappers every package shares (plain, strict for untrusted documents, ISO time, records),
 * so each use says which rules it reads by. A leaf.
 */
package dev.locald.json;
