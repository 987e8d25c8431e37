package dev.locald.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the run image the way the lifecycle's analyzer does (contract §2.4, §3.4): the request's run
 * image wins; otherwise, of the builder's first run image entry, the first of {image, mirrors…} on the
 * target image's registry; otherwise that entry's image.
 */
public final class RunImageSelection {
    private RunImageSelection() {
    }

    /**
     * @param requested   the request's {@code runImage}
     * @param builderRuns the builder's run images (run.toml, stack.toml or label), first = default
     * @param targetImage the image being built
     * @param builderName for the error message
     */
    public static String select(Optional<String> requested, List<RunImageEntry> builderRuns, String targetImage,
                                String builderName) {
        if (requested != null && requested.isPresent() && !requested.get().isBlank()) {
            return requested.get();
        }
        if (builderRuns == null || builderRuns.isEmpty()) {
            throw new IllegalArgumentException("builder " + builderName + " names no run image (its"
                    + " io.buildpacks.builder.metadata label has no images or stack.runImage); give one as runImage");
        }
        RunImageEntry first = builderRuns.get(0);
        String targetRegistry = RegistryHost.of(targetImage);
        List<String> candidates = new ArrayList<>();
        candidates.add(first.image());
        candidates.addAll(first.mirrors());
        for (String c : candidates) {
            if (RegistryHost.of(c).equals(targetRegistry)) {
                return c;
            }
        }
        return first.image();
    }
}
