package dev.locald.lifecycle;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.ImageReference;
import dev.locald.image.RegistryHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the run image the way the lifecycle's analyzer does (docs/lifecycle.md): the request's run
 * image wins; otherwise, of the builder's first run image entry, the first of {image, mirrors…} on the
 * target image's registry; otherwise that entry's image.
 */
public final class RunImageSelection {
    private RunImageSelection() {}

    /**
     * @param requested   the request's {@code runImage}
     * @param builderRuns the builder's run images (from its label), first = default
     * @param targetImage the image being built
     * @param builderName for the error message
     * @throws IllegalArgumentException when there is no run image, or the builder names one that is no valid
     *                                  reference
     */
    public static ImageReference select(
            Optional<ImageReference> requested,
            List<BuilderMetadata.RunImage> builderRuns,
            ImageReference targetImage,
            String builderName) {
        if (requested != null && requested.isPresent()) {
            return requested.get();
        }
        if (builderRuns == null || builderRuns.isEmpty()) {
            throw new IllegalArgumentException("builder " + builderName + " names no run image (its"
                    + " io.buildpacks.builder.metadata label has no images or stack.runImage); give one as runImage");
        }
        BuilderMetadata.RunImage first = builderRuns.get(0);
        String targetRegistry = RegistryHosts.lifecycleName(targetImage.registry());
        List<String> candidates = new ArrayList<>();
        candidates.add(first.image());
        candidates.addAll(first.mirrors());
        for (String c : candidates) {
            ImageReference candidate = parse(c, builderName);
            if (RegistryHosts.lifecycleName(candidate.registry()).equals(targetRegistry)) {
                return reachable(candidate, builderName);
            }
        }
        return reachable(parse(first.image(), builderName), builderName);
    }

    /**
     * The images of {@code entry} (a run.toml entry: the run image and its mirrors) in the order the lifecycle's
     * analyzer tries them when it picks one itself ({@code BestRunImageMirrorFor}): those on the target image's
     * registry first, then all in the entry's order. Link-local ones are left out (docs/security.md); an
     * invalid mirror is left out as the analyzer skips it, an invalid image fails.
     */
    public static List<ImageReference> candidates(
            BuilderMetadata.RunImage entry, ImageReference targetImage, String builderName) {
        List<ImageReference> all = new ArrayList<>();
        all.add(parse(entry.image(), builderName));
        for (String mirror : entry.mirrors()) {
            try {
                all.add(ImageReference.parse(mirror));
            } catch (IllegalArgumentException e) {
                // the analyzer skips a mirror it cannot parse too
            }
        }
        all.removeIf(ImageReference::isLinkLocal);
        String targetRegistry = RegistryHosts.lifecycleName(targetImage.registry());
        List<ImageReference> ordered = new ArrayList<>();
        for (ImageReference c : all) {
            if (RegistryHosts.lifecycleName(c.registry()).equals(targetRegistry)) {
                ordered.add(c);
            }
        }
        for (ImageReference c : all) {
            if (!ordered.contains(c)) {
                ordered.add(c);
            }
        }
        return ordered;
    }

    /** The builder's choice, unless it sends the lifecycle to a link-local registry (docs/security.md). */
    private static ImageReference reachable(ImageReference runImage, String builderName) {
        if (runImage.isLinkLocal()) {
            throw new IllegalArgumentException("builder " + builderName + " names the run image " + runImage
                    + " on a link-local address (169.254.0.0/16, fe80::/10), which locald never lets a build reach;"
                    + " give another as runImage");
        }
        return runImage;
    }

    private static ImageReference parse(String reference, String builderName) {
        try {
            return ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "builder " + builderName + " names an invalid run image: " + e.getMessage(), e);
        }
    }
}
