package dev.locald.cnb;

import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.lifecycle.PhaseImage;
import dev.locald.lifecycle.PhaseSpec;
import dev.locald.lifecycle.PlatformApi;
import dev.locald.pull.ImagePuller;
import java.util.Optional;

/**
 * The builder as the build uses it: its pulled image and strict metadata, the CNB user, whether it is
 * trusted, the lifecycle image an untrusted builder's phases run on (or why it could not be had), and the
 * negotiated platform API.
 */
record InspectedBuilder(
        String name,
        ImagePuller.PulledImage image,
        BuilderMetadata metadata,
        CnbUser user,
        boolean trusted,
        Optional<ImagePuller.PulledImage> lifecycleImage,
        Optional<String> lifecycleImageUnavailable,
        PlatformApi api) {

    /** The image the phase's container runs on. */
    ImagePuller.PulledImage imageFor(PhaseSpec phase) {
        return phase.image() == PhaseImage.LIFECYCLE_IMAGE ? lifecycleImage.orElseThrow() : image;
    }
}
