package dev.locald.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A page of builds, newest first; {@code next} is the link to the following page, absent on the last one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildListView(List<BuildView> items, int total, int offset, int limit, String next) {}
