package dev.locald.cnb;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.lifecycle.PhaseImage;
import dev.locald.lifecycle.PhaseSpec;
import dev.locald.lifecycle.PlatformApi;
import dev.locald.pull.ImagePuller;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The builder as the build uses it: its pulled image and strict metadata, the CNB user, whether it is
 * trusted, the lifecycle image an untrusted builder's phases run on (or why it could not be had), and the
 * negotiated platform API, and the buildpacks the build adds from buildpackage images.
 */
record InspectedBuilder(
        String name,
        ImagePuller.PulledImage image,
        BuilderMetadata metadata,
        CnbUser user,
        boolean trusted,
        Optional<ImagePuller.PulledImage> lifecycleImage,
        Optional<String> lifecycleImageUnavailable,
        PlatformApi api,
        AddedBuildpacks added) {

    /** The image the phase's container runs on. */
    ImagePuller.PulledImage imageFor(PhaseSpec phase) {
        return phase.image() == PhaseImage.LIFECYCLE_IMAGE ? lifecycleImage.orElseThrow() : image;
    }

    /**
     * The layer dirs of the phase's root, bottom first: the lifecycle image's, or the builder's with the added
     * buildpacks' layers on top, so that detector and builder find them under /cnb/buildpacks.
     */
    List<Path> layerDirsFor(PhaseSpec phase) {
        if (phase.image() == PhaseImage.LIFECYCLE_IMAGE) {
            return lifecycleImage.orElseThrow().layerDirs();
        }
        List<Path> dirs = new ArrayList<>(image.layerDirs());
        // a layer the builder has already (pack builds builders from buildpackages) is the same extracted dir,
        // and overlay refuses a lower dir listed twice (ELOOP)
        added.layerDirs().stream().filter(d -> !dirs.contains(d)).forEach(dirs::add);
        return dirs;
    }
}
