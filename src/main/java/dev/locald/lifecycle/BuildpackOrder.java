package dev.locald.lifecycle;

import dev.locald.image.BuilderMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a request's {@code buildpacks} into one order group. Buildpacks the builder contains (and those a
 * build adds from buildpackage images, named here by the {@code id@version} of their {@link Buildpackage}) can be
 * named, as {@code id[@version]} or {@code urn:cnb:builder:id[@version]}; a missing version is filled in from
 * the builder when it holds exactly one.
 */
public final class BuildpackOrder {
    /** pack's form for "a buildpack already in the builder": the same as the bare id. */
    static final String BUILDER_URN = "urn:cnb:builder:";

    /** The label pack writes with the builder's order (the same groups as its {@code /cnb/order.toml}). */
    public static final String ORDER_LABEL = "io.buildpacks.buildpack.order";

    private BuildpackOrder() {}

    /**
     * The builder's order with {@code pre} in front of and {@code post} behind every group (a project
     * descriptor's pre/post groups); a buildpack they name is dropped from the group it would repeat in.
     *
     * @param orderLabel the builder's {@value #ORDER_LABEL} label (JSON {@code [{"group":[{"id","version",
     *     "optional"}]}]})
     */
    public static List<List<OrderToml.Entry>> wrap(
            String orderLabel, List<BuildpackRef> pre, List<BuildpackRef> post, String builderName) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(orderLabel);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "the builder " + builderName + "'s label " + ORDER_LABEL + " is not valid JSON");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException(
                    "the builder " + builderName + "'s label " + ORDER_LABEL + " is not a non-empty JSON array");
        }
        Set<String> wrapping = new HashSet<>();
        pre.forEach(b -> wrapping.add(b.id()));
        post.forEach(b -> wrapping.add(b.id()));
        List<List<OrderToml.Entry>> order = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode g : root) {
            com.fasterxml.jackson.databind.JsonNode group = g.path("group");
            if (!group.isArray()) {
                throw new IllegalArgumentException(
                        "the builder " + builderName + "'s label " + ORDER_LABEL + " has an entry without a group");
            }
            List<OrderToml.Entry> entries = new ArrayList<>();
            pre.forEach(b -> entries.add(new OrderToml.Entry(b, false)));
            for (com.fasterxml.jackson.databind.JsonNode bp : group) {
                String id = bp.path("id").asText("");
                String version = bp.path("version").asText("");
                BuildpackRef ref = new BuildpackRef(id, version.isEmpty() ? Optional.empty() : Optional.of(version));
                if (!wrapping.contains(ref.id())) {
                    entries.add(new OrderToml.Entry(ref, bp.path("optional").asBoolean(false)));
                }
            }
            post.forEach(b -> entries.add(new OrderToml.Entry(b, false)));
            order.add(entries);
        }
        return order;
    }

    /**
     * @param requested  {@code id}, {@code id@version} or {@code urn:cnb:builder:} forms, in the order to run them
     * @param available  the builder's buildpacks ({@link BuilderMetadata#buildpacks()}); when empty, versions
     *                   cannot be filled in or checked and must be given
     */
    public static List<BuildpackRef> resolve(
            List<String> requested, List<BuilderMetadata.Buildpack> available, String builderName) {
        if (requested == null || requested.isEmpty()) {
            throw new IllegalArgumentException("an order override needs at least one buildpack");
        }
        List<BuildpackRef> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String text : requested) {
            BuildpackRef ref = BuildpackRef.parse(
                    text != null && text.startsWith(BUILDER_URN) ? text.substring(BUILDER_URN.length()) : text);
            if (!seen.add(ref.id())) {
                throw new IllegalArgumentException("buildpack " + ref.id() + " is named twice");
            }
            TreeSet<String> versions = new TreeSet<>();
            for (BuilderMetadata.Buildpack a : available) {
                if (a.id().equals(ref.id()) && !a.version().isEmpty()) {
                    versions.add(a.version());
                }
            }
            if (available.isEmpty()) {
                if (ref.version().isEmpty()) {
                    throw new IllegalArgumentException("builder " + builderName + " does not list its buildpacks, so "
                            + ref.id() + " needs an explicit @version");
                }
                out.add(ref);
            } else if (versions.isEmpty()) {
                throw new IllegalArgumentException("builder " + builderName + " does not contain buildpack " + ref.id()
                        + "; only the builder's own buildpacks can be named");
            } else if (ref.version().isPresent()) {
                if (!versions.contains(ref.version().get())) {
                    throw new IllegalArgumentException("builder " + builderName + " has buildpack " + ref.id()
                            + " only in version(s) " + String.join(", ", versions) + ", not "
                            + ref.version().get());
                }
                out.add(ref);
            } else if (versions.size() > 1) {
                throw new IllegalArgumentException(
                        "builder " + builderName + " has buildpack " + ref.id() + " in several versions ("
                                + String.join(", ", versions) + "); name one as " + ref.id() + "@<version>");
            } else {
                out.add(new BuildpackRef(ref.id(), Optional.of(versions.first())));
            }
        }
        return out;
    }
}
