package dev.locald.api;

/** One invalid field of a request: where it is ({@code env}, {@code tags[1]}, {@code registryAuth.password}) and what is wrong. */
public record FieldError(String field, String message) {}
