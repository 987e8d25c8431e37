package dev.locald.cnb;

import dev.locald.builds.BuildCancellation;
import dev.locald.builds.BuildExecutor;
import dev.locald.builds.BuildFailure;
import dev.locald.builds.BuildJob;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResult;
import dev.locald.builds.BuildSource;
import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.image.EnvList;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.lifecycle.BuildWorkspace;
import dev.locald.lifecycle.BuildpackOrder;
import dev.locald.lifecycle.BuildpackRef;
import dev.locald.lifecycle.IncompatiblePlatformApiException;
import dev.locald.lifecycle.LogLevel;
import dev.locald.lifecycle.OrderToml;
import dev.locald.lifecycle.PhaseExit;
import dev.locald.lifecycle.PhaseImage;
import dev.locald.lifecycle.PhasePlan;
import dev.locald.lifecycle.PhaseSpec;
import dev.locald.lifecycle.PlanOptions;
import dev.locald.lifecycle.PlatformApi;
import dev.locald.lifecycle.PlatformApiNegotiation;
import dev.locald.lifecycle.PlatformDir;
import dev.locald.lifecycle.RegistryAuthEnv;
import dev.locald.lifecycle.Report;
import dev.locald.lifecycle.ReportToml;
import dev.locald.lifecycle.RunImageSelection;
import dev.locald.lifecycle.RunToml;
import dev.locald.lifecycle.TrustedBuilders;
import dev.locald.logs.LogStream;
import dev.locald.pull.ImageCatalog;
import dev.locald.pull.ImagePuller;
import dev.locald.pull.LayerRefusedException;
import dev.locald.registry.RegistryCredential;
import dev.locald.registry.RegistryCredentials;
import dev.locald.registry.RegistryException;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.OutputSink;
import dev.locald.runtime.StreamKind;
import dev.locald.source.SourceArchiveException;
import dev.locald.source.SourceUnpacker;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real build: pull the builder (and the lifecycle image for untrusted builders), negotiate the
 * platform API, prepare the build's directories, run the phase plan container by container, and read
 * the published digest from {@code report.toml}. Every failure a user can act on becomes a
 * {@link BuildFailure} with a sentence; the build's directories are removed on every path.
 */
@ApplicationScoped
public class LifecycleBuildExecutor implements BuildExecutor {

    private final ImageCatalog images;
    private final PhaseRunner phases;
    private final BuildCaches caches;
    private final SourceUnpacker sources;
    private final TrustedBuilders trustedBuilders;
    private final RegistryCredentials dockerCredentials;
    private final LocaldConfig config;

    public LifecycleBuildExecutor(
            ImageCatalog images,
            PhaseRunner phases,
            BuildCaches caches,
            SourceUnpacker sources,
            TrustedBuilders trustedBuilders,
            RegistryCredentials dockerCredentials,
            LocaldConfig config) {
        this.images = images;
        this.phases = phases;
        this.caches = caches;
        this.sources = sources;
        this.trustedBuilders = trustedBuilders;
        this.dockerCredentials = dockerCredentials;
        this.config = config;
    }

    @Override
    public BuildResult execute(BuildJob job, BuildProgress progress, BuildCancellation cancellation) throws Exception {
        BuildRequest request = job.request();
        Cancellation stop = Cancellation.create();
        cancellation.onCancel(stop::cancel);
        progress.note("pulling builder " + request.builder());
        List<ImageCatalog.LeasedImage> leases = new ArrayList<>();
        try {
            return build(job, request, leases, progress, stop);
        } finally {
            leases.forEach(ImageCatalog.LeasedImage::close);
        }
    }

    private BuildResult build(
            BuildJob job,
            BuildRequest request,
            List<ImageCatalog.LeasedImage> leases,
            BuildProgress progress,
            Cancellation stop)
            throws Exception {
        ImageReference target = request.image();
        String builderName = request.builder().toString();
        ImagePuller.PulledImage builder = pull("builder", request.builder(), request, leases);
        ImageConfig builderConfig = builder.image().config();
        checkRunnable("builder", builderName, builderConfig, progress);
        BuilderMetadata metadata = builderMetadata(builderName, builderConfig);
        CnbUser user = cnbUser(builderName, builderConfig);
        boolean trusted = trustedBuilders.isTrusted(request.builder(), request.trustBuilder());

        Optional<ImagePuller.PulledImage> lifecycleImage = Optional.empty();
        Optional<String> lifecycleName = config.lifecycle().image();
        if (!trusted && lifecycleName.isPresent()) {
            progress.note("pulling lifecycle image " + lifecycleName.get());
            lifecycleImage = Optional.of(
                    pull("lifecycle image", parse("lifecycle image", lifecycleName.get()), request, leases));
            checkRunnable(
                    "lifecycle image",
                    lifecycleName.get(),
                    lifecycleImage.get().image().config(),
                    progress);
        }
        PlatformApi api = negotiate(builderName, metadata, lifecycleName, lifecycleImage);
        progress.note("platform API " + api + ", "
                + (trusted ? "trusted builder: one creator container" : "untrusted builder: five phase containers")
                + ", CNB user " + user.uid() + ":" + user.gid());
        if (stop.isCancelled()) {
            throw new BuildFailure("the build was cancelled");
        }

        // runc and bind mounts need absolute paths; the data dir may be configured relative (dev, test)
        java.nio.file.Path workDir = job.workDir().toAbsolutePath();
        java.nio.file.Path buildDir = workDir.resolve("build");
        try (BuildCaches.CacheLease cache = caches.acquire(
                request.image(), request.clearCache(), user, config.lifecycle().cacheWait())) {
            BuildWorkspace workspace = BuildWorkspace.create(buildDir, user, Optional.of(cache.dir()));
            prepareSource(job, workspace, user);
            PlatformDir.write(workspace.platform(), request.env(), user);
            RunToml.write(workspace.layers(), RunToml.entries(request.runImage(), metadata.runImages()), user);
            ImageReference runImage = runImage(request, metadata, target, builderName);
            boolean customOrder = !request.buildpacks().isEmpty();
            if (customOrder) {
                OrderToml.write(workspace.layers(), order(request, metadata, builderName), user);
            }
            PlanOptions options = PlanOptions.builder(request.image(), user)
                    .tags(request.tags())
                    .runImage(runImage)
                    .clearCache(request.clearCache())
                    .network(request.network())
                    .customOrder(customOrder)
                    .cache(true)
                    .insecure(insecureRegistries(target))
                    .lifecycleImage(lifecycleImage.isPresent())
                    .logLevel(LogLevel.parse(config.lifecycle().logLevel()))
                    .build();
            PhasePlan plan = PhasePlan.create(api, trusted, options);
            plan.warnings().forEach(progress::note);
            RegistryAuthEnv auth = registryAuth(options, request, progress);
            for (PhaseSpec phase : plan.phases()) {
                ImagePuller.PulledImage image =
                        phase.image() == PhaseImage.LIFECYCLE_IMAGE ? lifecycleImage.orElseThrow() : builder;
                runPhase(job, workDir, phase, image, workspace, auth, progress, stop);
            }
            Report report = readReport(workspace);
            return new BuildResult(
                    target.toString(),
                    report.digest()
                            .orElseThrow(
                                    () -> new BuildFailure(
                                            "the exporter's report.toml names no image digest, so the published image is unknown")),
                    report.tags().isEmpty() ? List.of(target.toString()) : report.tags());
        } catch (BuildCaches.CacheBusyException e) {
            throw new BuildFailure(e.getMessage(), e);
        } finally {
            TreeDeleter.deleteTree(buildDir);
        }
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

    private void runPhase(
            BuildJob job,
            java.nio.file.Path workDir,
            PhaseSpec phase,
            ImagePuller.PulledImage image,
            BuildWorkspace workspace,
            RegistryAuthEnv auth,
            BuildProgress progress,
            Cancellation stop)
            throws Exception {
        if (stop.isCancelled()) {
            throw new BuildFailure(
                    "the build was cancelled before the " + phase.phase().id() + " started");
        }
        String name = phase.phase().id();
        ImageConfig imageConfig = image.image().config();
        PhaseRunner.PhaseImageRoot root =
                new PhaseRunner.PhaseImageRoot(image.layerDirs(), imageConfig.env(), imageConfig.workingDir());
        progress.phaseStarted(name);
        OutputSink sink = (stream, time, text) ->
                progress.log(name, stream == StreamKind.STDERR ? LogStream.STDERR : LogStream.STDOUT, time, text);
        Duration remaining = Duration.between(Instant.now(), job.deadline());
        ContainerResult result = phases.run(
                "locald-" + job.id() + "-" + name,
                phase,
                root,
                workspace,
                auth,
                sink,
                stop,
                Optional.of(remaining.isNegative() ? Duration.ZERO : remaining),
                workDir);
        progress.phaseFinished(name, result.exitCode(), result.duration());
        if (!result.succeeded()) {
            if (result.cancelled()) {
                throw new BuildFailure("the build was cancelled during the " + name);
            }
            throw new BuildFailure(PhaseExit.describe(
                    phase.phase(),
                    new PhaseExit.Outcome(
                            result.exitCode(),
                            result.signal(),
                            result.timedOut(),
                            result.cancelled(),
                            result.oomKilled(),
                            remaining)));
        }
    }

    private void prepareSource(BuildJob job, BuildWorkspace workspace, CnbUser user) throws Exception {
        try {
            if (job.source() instanceof BuildSource.Archive archive) {
                sources.unpack(archive.file(), archive.format(), workspace.workspace(), user);
            } else if (job.source() instanceof BuildSource.Directory directory) {
                sources.copyDirectory(directory.path(), workspace.workspace(), user);
            }
        } catch (SourceArchiveException e) {
            // a refused upload is of no use to anyone: it goes now, not when the build record expires
            if (job.source() instanceof BuildSource.Archive archive) {
                java.nio.file.Files.deleteIfExists(archive.file());
            }
            throw new BuildFailure("the app source was refused: " + e.getMessage(), e);
        }
    }

    /** Pulls and leases an image for the rest of the build, so that no image deletion removes its layers. */
    private ImagePuller.PulledImage pull(
            String what, ImageReference ref, BuildRequest request, List<ImageCatalog.LeasedImage> leases)
            throws BuildFailure {
        try {
            ImageCatalog.LeasedImage leased = images.pullLeased(ref, requestCredential(ref, request));
            leases.add(leased);
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

    /**
     * CNB_REGISTRY_AUTH for every registry the credentialed phases touch (target, tags, run image): the
     * docker config's credentials, and the request's for the target registry on top.
     */
    private RegistryAuthEnv registryAuth(PlanOptions options, BuildRequest request, BuildProgress progress)
            throws BuildFailure {
        Map<String, RegistryCredential> fromConfig = new LinkedHashMap<>();
        for (ImageReference ref : options.registryImages()) {
            if (fromConfig.containsKey(ref.registry())) {
                continue;
            }
            try {
                dockerCredentials.forImage(ref, Optional.empty()).ifPresent(c -> fromConfig.put(ref.registry(), c));
            } catch (RegistryException e) {
                if (ref.registry().equals(request.image().registry())) {
                    throw new BuildFailure(
                            "could not read the credentials for " + ref.registry() + ": " + e.getMessage(), e);
                }
                // another registry may well be readable anonymously; the phase says so if it is not
                progress.note("no credentials for " + ref.registry() + ": " + e.getMessage());
            }
        }
        Map<String, RegistryCredential> fromRequest = new LinkedHashMap<>();
        request.registryAuth().ifPresent(c -> fromRequest.put(request.image().registry(), c));
        return RegistryAuthEnv.of(fromConfig, fromRequest);
    }

    private List<String> insecureRegistries(ImageReference target) {
        List<String> insecure = new ArrayList<>(config.registry().insecure().orElse(List.of()));
        if (target.isLoopback() && !insecure.contains(target.registry())) {
            insecure.add(target.registry());
        }
        return insecure;
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

    private static ImageReference runImage(
            BuildRequest request, BuilderMetadata metadata, ImageReference target, String builderName)
            throws BuildFailure {
        try {
            return RunImageSelection.select(request.runImage(), metadata.runImages(), target, builderName);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    /** The request's buildpacks as one group; naming one the builder lacks is the user's to fix. */
    private static List<BuildpackRef> order(BuildRequest request, BuilderMetadata metadata, String builderName)
            throws BuildFailure {
        try {
            return BuildpackOrder.resolve(request.buildpacks(), metadata.buildpacks(), builderName);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the buildpacks of the request cannot be used: " + e.getMessage(), e);
        }
    }

    private static CnbUser cnbUser(String builder, ImageConfig config) throws BuildFailure {
        try {
            return CnbUser.fromImageEnv(builder, config.env());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    private static Report readReport(BuildWorkspace workspace) throws BuildFailure {
        try {
            return ReportToml.read(workspace.layers());
        } catch (ReportToml.ReportException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    private static ImageReference parse(String field, String reference) throws BuildFailure {
        try {
            return ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the " + field + " reference is invalid: " + e.getMessage(), e);
        }
    }
}
