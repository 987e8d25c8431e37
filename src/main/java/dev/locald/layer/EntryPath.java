package dev.locald.layer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tar entry name turned into path components relative to the root it is extracted into. Leading
 * {@code /} and {@code ./} are dropped (an absolute name means "from the root"), empty and {@code .}
 * components are skipped, and {@code ..} anywhere is refused: a layer has no reason to climb, and
 * clamping would silently write somewhere the author did not name.
 */
record EntryPath(List<String> components) {

    /** Longest name of one path component on Linux filesystems. */
    private static final int MAX_COMPONENT_BYTES = 255;

    static final EntryPath ROOT = new EntryPath(List.of());

    static EntryPath parse(String name, int maxPathBytes, String entryName) throws InvalidLayerException {
        if (name == null) {
            throw new InvalidLayerException("layer entry has no name");
        }
        if (name.indexOf('\0') >= 0) {
            throw new InvalidLayerException("layer entry '" + entryName + "': NUL in path");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > maxPathBytes) {
            throw new InvalidLayerException(
                    "layer entry '" + abbreviate(entryName) + "': path longer than " + maxPathBytes + " bytes");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new InvalidLayerException("layer entry '" + entryName + "': '..' is not allowed in a layer path");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
                throw new InvalidLayerException("layer entry '" + abbreviate(entryName)
                        + "': a path component is longer than " + MAX_COMPONENT_BYTES + " bytes");
            }
            parts.add(part);
        }
        return new EntryPath(List.copyOf(parts));
    }

    boolean isRoot() {
        return components.isEmpty();
    }

    String name() {
        return components.isEmpty() ? "" : components.get(components.size() - 1);
    }

    EntryPath parent() {
        return components.isEmpty() ? this : new EntryPath(components.subList(0, components.size() - 1));
    }

    EntryPath child(String name) {
        List<String> parts = new ArrayList<>(components);
        parts.add(name);
        return new EntryPath(List.copyOf(parts));
    }

    /** The components joined with {@code /}; empty for the root. */
    String relative() {
        return String.join("/", components);
    }

    /** Whether {@code this} is {@code other} or lies beneath it. */
    boolean isWithin(EntryPath other) {
        return components.size() >= other.components.size()
                && components.subList(0, other.components.size()).equals(other.components);
    }

    static String abbreviate(String name) {
        return name.length() <= 200 ? name : name.substring(0, 200) + "…";
    }

    @Override
    public String toString() {
        return "/" + relative();
    }
}
