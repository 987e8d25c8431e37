package dev.locald.cnb;

import dev.locald.builds.BuildFailure;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildRequest;
import dev.locald.config.LocaldConfig;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.image.Digest;
import dev.locald.image.EnvList;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.LayerDescriptor;
import dev.locald.lifecycle.BuildpackRef;
import dev.locald.lifecycle.Buildpackage;
import dev.locald.lifecycle.IncompatiblePlatformApiException;
import dev.locald.lifecycle.PlatformApi;
import dev.locald.lifecycle.PlatformApiNegotiation;
import dev.locald.lifecycle.TrustedBuilders;
import dev.locald.pull.ImageCatalog;
import dev.locald.pull.ImagePuller;
import dev.locald.pull.LayerRefusedException;
import dev.locald.registry.RegistryCredential;
import dev.locald.registry.RegistryException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first step of a build: the builder image and what the build learns from it before anything is
 * written. Each image pulled is leased on the {@link BuildContext} until the build ends.
 */
final class BuilderInspection {

    static final String VERSION_PLACEHOLDER = "{version}";

    private final ImageCatalog images;
    private final TrustedBuilders trustedBuilders;
    private final LocaldConfig config;

    BuilderInspection(ImageCatalog images, TrustedBuilders trustedBuilders, LocaldConfig config) {
        this.images = images;
        this.trustedBuilders = trustedBuilders;
        this.config = config;
    }

    /**
     * Pulls the builder (and the lifecycle image an untrusted builder's phases run on), reads its metadata
     * strictly, takes the CNB user from its env and negotiates the platform API. {@code builderRef} is the
     * request's builder, or else the one the source's project.toml names.
     *
     * @param buildpackImages the order's {@code docker://} entries and their images, pulled and read after the
     *     builder; a build that adds any never runs as a trusted creator (docs/security.md)
     */
    InspectedBuilder inspect(BuildContext build, ImageReference builderRef, Map<String, ImageReference> buildpackImages)
            throws BuildFailure {
        BuildRequest request = build.request();
        String builderName = builderRef.toString();
        ImagePuller.PulledImage builder = pull(build, "builder", builderRef);
        ImageConfig builderConfig = builder.image().config();
        checkRunnable("builder", builderName, builderConfig, build.progress());
        BuilderMetadata metadata = builderMetadata(builderName, builderConfig);
        CnbUser user = cnbUser(builderName, builderConfig);
        boolean trusted = trustedBuilders.isTrusted(builderRef, request.trustBuilder());
        AddedBuildpacks added = buildpackages(build, buildpackImages);
        if (trusted && !added.isEmpty()) {
            // the trust is the operator's in the builder, not in code the request brings along
            trusted = false;
            build.progress()
                    .note("the build adds buildpacks from images (" + String.join(", ", buildpackImages.keySet())
                            + "), which are not part of the trusted builder " + builderName
                            + ": it runs as an untrusted builder, its credentialed phases from the lifecycle image");
        }

        Optional<ImagePuller.PulledImage> lifecycleImage = Optional.empty();
        Optional<String> lifecycleName = Optional.empty();
        Optional<String> lifecycleUnavailable = Optional.empty();
        if (!trusted) {
            lifecycleName = Optional.of(lifecycleImageName(config.lifecycle().image(), metadata.lifecycleVersion()));
            try {
                lifecycleImage = Optional.of(lifecycleImage(build, metadata.lifecycleVersion()));
            } catch (BuildFailure e) {
                // whether the build may go on without it depends on its credentials, known once planned
                lifecycleUnavailable = Optional.of(e.getMessage());
            }
        }
        PlatformApi api = negotiate(builderName, metadata, lifecycleName, lifecycleImage);
        build.progress()
                .note("platform API " + api + ", "
                        + (trusted
                                ? "trusted builder: one creator container"
                                : "untrusted builder: five phase containers")
                        + ", CNB user " + user.uid() + ":" + user.gid());
        return new InspectedBuilder(
                builderName, builder, metadata, user, trusted, lifecycleImage, lifecycleUnavailable, api, added);
    }

    /**
     * Pulls each buildpack image through the normal pull path (registry rules, credentials, pull policy, mirrors,
     * digest checks, the secure layer store), leases it, and reads its labels; a layer holding anything outside
     * {@code /cnb/buildpacks} refuses the image, so that it adds buildpacks and nothing else to the builder.
     */
    private AddedBuildpacks buildpackages(BuildContext build, Map<String, ImageReference> images) throws BuildFailure {
        if (images.isEmpty()) {
            return AddedBuildpacks.NONE;
        }
        Map<String, Buildpackage> byEntry = new LinkedHashMap<>();
        List<Path> dirs = new ArrayList<>();
        for (Map.Entry<String, ImageReference> entry : images.entrySet()) {
            build.progress().note("pulling buildpack image " + entry.getValue());
            ImagePuller.PulledImage pulled = pull(build, "buildpack image", entry.getValue());
            Buildpackage buildpackage;
            try {
                buildpackage = Buildpackage.from(
                        entry.getValue().toString(), pulled.image().config());
            } catch (IllegalArgumentException e) {
                throw new BuildFailure(e.getMessage(), e);
            }
            List<LayerDescriptor> layers = pulled.image().layers();
            for (Digest diffId : buildpackage.layers()) {
                for (int i = 0; i < layers.size(); i++) {
                    if (layers.get(i).diffId().equals(diffId)) {
                        Path dir = pulled.layerDirs().get(i);
                        requireOnlyBuildpacks(entry.getValue(), diffId, dir);
                        if (!dirs.contains(dir)) {
                            dirs.add(dir);
                        }
                        break;
                    }
                }
            }
            build.progress()
                    .note("buildpack image " + entry.getValue() + " adds " + buildpackage.top() + " ("
                            + buildpackage.buildpacks().size() + " buildpack(s) in "
                            + buildpackage.layers().size() + " layer(s))");
            byEntry.put(entry.getKey(), buildpackage);
        }
        return new AddedBuildpacks(byEntry, dirs);
    }

    /** The extracted layer holds /cnb/buildpacks and nothing beside it (the layout pack writes). */
    private static void requireOnlyBuildpacks(ImageReference image, Digest diffId, Path layer) throws BuildFailure {
        String outside = null;
        try {
            for (String name : names(layer)) {
                Path cnb = layer.resolve(name);
                if (!name.equals("cnb") || !Files.isDirectory(cnb, LinkOption.NOFOLLOW_LINKS)) {
                    outside = "/" + name;
                    break;
                }
                for (String inner : names(cnb)) {
                    if (!inner.equals("buildpacks")
                            || !Files.isDirectory(cnb.resolve(inner), LinkOption.NOFOLLOW_LINKS)) {
                        outside = "/cnb/" + inner;
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new BuildFailure(
                    "the layer " + diffId + " of the buildpack image " + image + " could not be read: "
                            + e.getMessage(),
                    e);
        }
        if (outside != null) {
            throw new BuildFailure("the buildpack image " + image + " was refused: its layer " + diffId + " holds "
                    + BuildpackRef.quote(outside) + ", outside /cnb/buildpacks, where a buildpackage's layers"
                    + " hold their buildpacks and nothing else");
        }
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    /**
     * Pulls (and leases) {@code locald.lifecycle.image} for {@code lifecycleVersion}: the credentialed phases of
     * an untrusted builder and every rebaser run on it.
     */
    ImagePuller.PulledImage lifecycleImage(BuildContext build, String lifecycleVersion) throws BuildFailure {
        String name = lifecycleImageName(config.lifecycle().image(), lifecycleVersion);
        build.progress().note("pulling lifecycle image " + name);
        ImagePuller.PulledImage pulled = pull(build, "lifecycle image", parse("lifecycle image", name));
        checkRunnable("lifecycle image", name, pulled.image().config(), build.progress());
        return pulled;
    }

    /**
     * {@code locald.lifecycle.image} with {@code {version}} replaced by the builder's lifecycle version, as pack
     * picks {@code buildpacksio/lifecycle:<version>}; a builder that names no version leaves the placeholder,
     * which no reference can hold, so the pull fails with a sentence saying why.
     */
    static String lifecycleImageName(String configured, String builderLifecycleVersion) {
        if (!configured.contains(VERSION_PLACEHOLDER)) {
            return configured;
        }
        return builderLifecycleVersion.isBlank()
                ? configured
                : configured.replace(VERSION_PLACEHOLDER, builderLifecycleVersion);
    }

    /**
     * The config fields that reach runc: an Env entry no process env can hold refuses the image with a
     * sentence; an unsafe WorkingDir is replaced by / (PhaseRunner does so) and said in the log.
     */
    private static void checkRunnable(String what, String name, ImageConfig config, BuildProgress progress)
            throws BuildFailure {
        Optional<String> env = config.invalidEnvEntry();
        if (env.isPresent()) {
            throw new BuildFailure("the " + what + " " + name + " cannot run: its config Env entry " + env.get());
        }
        ImageConfig.workingDirProblem(config.workingDir())
                .ifPresent(problem -> progress.note("the " + what + " " + name + " sets WorkingDir '"
                        + EnvList.printable(config.workingDir()) + "', which " + problem + "; its containers start in"
                        + " / instead"));
    }

    /** Pulls and leases an image for the rest of the build, so that no image deletion removes its layers. */
    private ImagePuller.PulledImage pull(BuildContext build, String what, ImageReference ref) throws BuildFailure {
        try {
            ImageCatalog.LeasedImage leased = images.pullLeased(
                    ref,
                    requestCredential(ref, build.request()),
                    build.request().pullPolicy());
            build.leases().add(leased);
            // a registry the cache stood in for (pullPolicy if-not-present) is said in the build log
            leased.pulled().warnings().stream()
                    .filter(w -> w.startsWith(ImagePuller.CACHE_FALLBACK))
                    .forEach(build.progress()::note);
            return leased.pulled();
        } catch (RegistryException e) {
            throw new BuildFailure("could not pull the " + what + " " + ref + ": " + e.getMessage(), e);
        } catch (LayerRefusedException e) {
            throw new BuildFailure("the " + what + " " + ref + " was refused: " + e.getMessage(), e);
        }
    }

    /** The request's credential belongs to the target image's registry; it serves pulls from it too. */
    private static Optional<RegistryCredential> requestCredential(ImageReference ref, BuildRequest request) {
        return ref.registry().equals(request.image().registry()) ? request.registryAuth() : Optional.empty();
    }

    private static PlatformApi negotiate(
            String builder,
            BuilderMetadata metadata,
            Optional<String> lifecycleName,
            Optional<ImagePuller.PulledImage> lifecycleImage)
            throws BuildFailure {
        try {
            return lifecycleImage.isPresent()
                    ? PlatformApiNegotiation.negotiate(
                            builder,
                            metadata,
                            lifecycleName.orElseThrow(),
                            lifecycleImage.get().image().config())
                    : PlatformApiNegotiation.negotiate(builder, metadata);
        } catch (IncompatiblePlatformApiException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    private static BuilderMetadata builderMetadata(String builder, ImageConfig config) throws BuildFailure {
        try {
            return BuilderMetadata.from(config);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(builder + " is not a usable CNB builder: " + e.getMessage(), e);
        }
    }

    private static CnbUser cnbUser(String builder, ImageConfig config) throws BuildFailure {
        try {
            return CnbUser.fromImageEnv(builder, config.env());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    private static ImageReference parse(String field, String reference) throws BuildFailure {
        if (reference.contains(VERSION_PLACEHOLDER)) {
            throw new BuildFailure("the " + field + " " + reference + " (locald.lifecycle.image) needs the builder's"
                    + " lifecycle version, and the builder's label " + BuilderMetadata.LABEL + " names none");
        }
        try {
            return ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the " + field + " reference is invalid: " + e.getMessage(), e);
        }
    }
}
