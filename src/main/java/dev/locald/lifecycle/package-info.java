/**
 * The CNB platform contract: phases and their plan, platform API negotiation, every CNB_* name, the
 * files the platform writes or reads (run.toml, order.toml, report.toml, /platform/env), exit codes
 * and their sentences, CNB_REGISTRY_AUTH. Starts no container. See docs/lifecycle.md.
 */
package dev.locald.lifecycle;
