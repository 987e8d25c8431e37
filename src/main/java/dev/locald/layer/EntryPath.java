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
public record EntryPath(List<String> components) {

    /** Longest name of one path component on Linux filesystems. */
    public static final int MAX_COMPONENT_BYTES = 255;

    static final EntryPath ROOT = new EntryPath(List.of());

    /** Why {@link #of} refused a name; each caller words the refusal for its own readers. */
    public enum Problem {
        NUL,
        TOO_LONG,
        PARENT_REFERENCE,
        COMPONENT_TOO_LONG
    }

    /** A name {@link #of} refused. */
    public static final class InvalidName extends Exception {
        private final Problem problem;

        InvalidName(Problem problem) {
            super(problem.name(), null, false, false);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /**
     * The one name normaliser for trees written from archives (layers and app sources): NUL, names over
     * {@code maxPathBytes}, {@code ..} anywhere and components over 255 bytes are refused.
     */
    public static EntryPath of(String name, int maxPathBytes) throws InvalidName {
        if (name.indexOf('\0') >= 0) {
            throw new InvalidName(Problem.NUL);
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > maxPathBytes) {
            throw new InvalidName(Problem.TOO_LONG);
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new InvalidName(Problem.PARENT_REFERENCE);
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
                throw new InvalidName(Problem.COMPONENT_TOO_LONG);
            }
            parts.add(part);
        }
        return new EntryPath(List.copyOf(parts));
    }

    static EntryPath parse(String name, int maxPathBytes, String entryName) throws InvalidLayerException {
        if (name == null) {
            throw new InvalidLayerException("layer entry has no name");
        }
        try {
            return of(name, maxPathBytes);
        } catch (InvalidName e) {
            throw new InvalidLayerException(
                    switch (e.problem()) {
                        case NUL -> "layer entry '" + entryName + "': NUL in path";
                        case TOO_LONG ->
                            "layer entry '" + abbreviate(entryName) + "': path longer than " + maxPathBytes + " bytes";
                        case PARENT_REFERENCE -> "layer entry '" + entryName + "': '..' is not allowed in a layer path";
                        case COMPONENT_TOO_LONG ->
                            "layer entry '" + abbreviate(entryName) + "': a path component is longer than "
                                    + MAX_COMPONENT_BYTES + " bytes";
                    });
        }
    }

    public boolean isRoot() {
        return components.isEmpty();
    }

    public String name() {
        return components.isEmpty() ? "" : components.get(components.size() - 1);
    }

    public EntryPath parent() {
        return components.isEmpty() ? this : new EntryPath(components.subList(0, components.size() - 1));
    }

    EntryPath child(String name) {
        List<String> parts = new ArrayList<>(components);
        parts.add(name);
        return new EntryPath(List.copyOf(parts));
    }

    /** The components joined with {@code /}; empty for the root. */
    public String relative() {
        return String.join("/", components);
    }

    /** Whether {@code this} is {@code other} or lies beneath it. */
    public boolean isWithin(EntryPath other) {
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
