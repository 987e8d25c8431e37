package dev.locald.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A container as {@code runc list}/{@code runc state} describe it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuncContainer(String id, int pid, String status, String bundle) {}
