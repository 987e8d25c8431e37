package dev.locald.source;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.ignore.FastIgnoreRule;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * Which source entries reach the workspace: all of them, or those a project descriptor's gitignore-style
 * {@code include} or {@code exclude} patterns keep (docs/api.md, "project.toml"). As in git, an entry under an
 * excluded directory is excluded, whatever a later pattern says of it; {@code project.toml} itself always stays.
 */
public final class SourceFilter {

    public static final SourceFilter ALL = new SourceFilter(null, false);

    private final IgnoreNode rules;
    private final boolean include;

    private SourceFilter(IgnoreNode rules, boolean include) {
        this.rules = rules;
        this.include = include;
    }

    /** Keeps only what {@code patterns} match (and the directories on the way to it). */
    public static SourceFilter include(List<String> patterns) {
        return new SourceFilter(node(patterns), true);
    }

    /** Keeps all but what {@code patterns} match. */
    public static SourceFilter exclude(List<String> patterns) {
        return new SourceFilter(node(patterns), false);
    }

    private static IgnoreNode node(List<String> patterns) {
        List<FastIgnoreRule> rules = new ArrayList<>();
        for (String p : patterns) {
            FastIgnoreRule rule = new FastIgnoreRule(p);
            if (!rule.isEmpty()) {
                rules.add(rule);
            }
        }
        return new IgnoreNode(rules);
    }

    /** Whether the entry {@code rawName} (as the archive or tree names it) is written to the workspace. */
    public boolean keeps(String rawName, boolean directory) {
        if (rules == null) {
            return true;
        }
        String name = normalise(rawName);
        if (name.isEmpty() || name.equals(ProjectDescriptor.FILE)) {
            return true;
        }
        return include == matches(name, directory);
    }

    /** Whether nothing below the directory {@code rawName} can be kept, so a walk need not enter it. */
    public boolean skipsTree(String rawName) {
        return rules != null && !include && !keeps(rawName, true);
    }

    private boolean matches(String name, boolean directory) {
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            if (Boolean.TRUE.equals(rules.checkIgnored(name.substring(0, slash), true))) {
                return true;
            }
        }
        return Boolean.TRUE.equals(rules.checkIgnored(name, directory));
    }

    /** {@code ./a/b/} → {@code a/b}: archives name entries in several equivalent ways. */
    static String normalise(String rawName) {
        String name = rawName;
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.equals(".") ? "" : name;
    }
}
