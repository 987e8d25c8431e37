package dev.locald.cnb;

import dev.locald.builds.BuildCancellation;
import dev.locald.builds.BuildExecutor;
import dev.locald.builds.BuildFailure;
import dev.locald.builds.BuildJob;
import dev.locald.builds.BuildKind;
import dev.locald.builds.BuildOptions;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResources;
import dev.locald.builds.BuildResult;
import dev.locald.builds.BuildSource;
import dev.locald.builds.BuildStore;
import dev.locald.config.ByteSize;
import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.AppImageMetadata;
import dev.locald.image.BuilderMetadata;
import dev.locald.image.CnbUser;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.RegistryHosts;
import dev.locald.lifecycle.BindingsDir;
import dev.locald.lifecycle.BuildWorkspace;
import dev.locald.lifecycle.BuildpackOrder;
import dev.locald.lifecycle.BuildpackRef;
import dev.locald.lifecycle.Buildpackage;
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
import dev.locald.lifecycle.RegistryBuildpack;
import dev.locald.lifecycle.Report;
import dev.locald.lifecycle.ReportToml;
import dev.locald.lifecycle.RunImageSelection;
import dev.locald.lifecycle.RunToml;
import dev.locald.lifecycle.TrustedBuilders;
import dev.locald.logs.LogStream;
import dev.locald.pull.ImageCatalog;
import dev.locald.pull.ImagePuller;
import dev.locald.pull.Mirrors;
import dev.locald.registry.ImageResolver;
import dev.locald.registry.RegistryCredential;
import dev.locald.registry.RegistryCredentials;
import dev.locald.registry.RegistryException;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.OutputSink;
import dev.locald.runtime.ResourceLimits;
import dev.locald.runtime.StreamKind;
import dev.locald.source.GitFetchException;
import dev.locald.source.GitFetcher;
import dev.locald.source.ProjectDescriptor;
import dev.locald.source.ProjectDescriptorException;
import dev.locald.source.SourceArchiveException;
import dev.locald.source.SourceFilter;
import dev.locald.source.SourceUnpacker;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real build, as named steps sharing one {@link BuildContext}: inspect the builder (pull it and the
 * lifecycle image for untrusted builders, negotiate the platform API), prepare the workspace, plan the
 * phases, run them container by container, and read the published digest from {@code report.toml}. Every
 * failure a user can act on becomes a {@link BuildFailure} with a sentence; the build's directories are
 * removed on every path.
 */
@ApplicationScoped
public class LifecycleBuildExecutor implements BuildExecutor {

    /**
     * The rebaser's uid:gid: it reads and writes only registries and its report, so any non-root user will do;
     * this is the "nonroot" user of the distroless base of buildpacksio/lifecycle.
     */
    static final CnbUser REBASER_USER = new CnbUser(65532, 65532);

    private final BuilderInspection builderInspection;
    private final PhaseRunner phases;
    private final BuildCaches caches;
    private final SourceUnpacker sources;
    private final RegistryCredentials dockerCredentials;
    private final LocaldConfig config;
    private final BuildStore store;
    private final ImageResolver resolver;
    private final Mirrors mirrors;
    private final BuildpackRegistry buildpackRegistry;

    public LifecycleBuildExecutor(
            ImageCatalog images,
            PhaseRunner phases,
            BuildCaches caches,
            SourceUnpacker sources,
            TrustedBuilders trustedBuilders,
            RegistryCredentials dockerCredentials,
            LocaldConfig config,
            BuildStore store,
            ImageResolver resolver,
            Mirrors mirrors) {
        this.builderInspection = new BuilderInspection(images, trustedBuilders, config);
        this.phases = phases;
        this.caches = caches;
        this.sources = sources;
        this.dockerCredentials = dockerCredentials;
        this.config = config;
        this.store = store;
        this.resolver = resolver;
        this.mirrors = mirrors;
        this.buildpackRegistry = new BuildpackRegistry(config.buildpacks().registryUrl());
    }

    @Override
    public BuildResult execute(BuildJob job, BuildProgress progress, BuildCancellation cancellation) throws Exception {
        Cancellation stop = Cancellation.create();
        cancellation.onCancel(stop::cancel);
        BuildContext build = new BuildContext(job, progress, stop, new ArrayList<>());
        try {
            return build(build);
        } finally {
            build.leases().forEach(ImageCatalog.LeasedImage::close);
        }
    }

    private BuildResult build(BuildContext build) throws Exception {
        BuildRequest request = build.request();
        if (request.kind() == BuildKind.REBASE) {
            return rebase(build);
        }
        // a git source is fetched first: its project.toml may name the builder (docs/api.md, "project.toml")
        try (GitFetcher.Fetched git = openGit(build)) {
            ProjectDescriptor descriptor = descriptor(build, git);
            ImageReference builderRef = builderOf(request, descriptor);
            List<String> images = buildpackImages(request, descriptor);
            Map<String, ImageReference> buildpackImages = new LinkedHashMap<>();
            Map<String, BuildpackRegistry.Resolved> fromRegistry = new LinkedHashMap<>();
            for (String entry : images) {
                if (RegistryBuildpack.isRegistry(entry)) {
                    BuildpackRegistry.Resolved resolved = fromRegistry(build, entry);
                    fromRegistry.put(entry, resolved);
                    buildpackImages.put(entry, resolved.image());
                } else {
                    buildpackImages.put(entry, buildpackImage(request, entry));
                }
            }
            build.progress().note("pulling builder " + builderRef);
            InspectedBuilder builder = builderInspection.inspect(build, builderRef, buildpackImages);
            for (Map.Entry<String, BuildpackRegistry.Resolved> e : fromRegistry.entrySet()) {
                BuildpackRef top = builder.added().byEntry().get(e.getKey()).top();
                if (!top.equals(e.getValue().top())) {
                    // the registry vouches for the address of ns/name@version, so the image must hold just that
                    throw new BuildFailure("the buildpack " + e.getKey() + ": the buildpack registry at "
                            + buildpackRegistry.url() + " names the image "
                            + e.getValue().image() + " for "
                            + e.getValue().top() + ", but that image's top buildpack is " + top);
                }
            }
            if (build.stop().isCancelled()) {
                throw new BuildFailure("the build was cancelled");
            }
            return build(build, builder, git, descriptor);
        }
    }

    private BuildResult build(
            BuildContext build, InspectedBuilder builder, GitFetcher.Fetched git, ProjectDescriptor descriptor)
            throws Exception {
        BuildRequest request = build.request();
        try (BuildCaches.CacheLease cache = caches.acquire(
                request.image(),
                request.clearCache(),
                builder.user(),
                config.lifecycle().cacheWait())) {
            PreparedWorkspace prepared = prepareWorkspace(build, builder, cache, git, descriptor);
            PlanOptions options = planOptions(build, builder, prepared);
            RegistryAuthEnv auth = registryAuth(build, options.registryImages());
            requireLifecycleImageFor(build, builder, auth);
            PhasePlan plan = planPhases(build, builder, options);
            BuildResources resources = request.resources()
                    .within(BuildResources.configured(config.builds().limits()));
            PhaseRunner.Limits limits = new PhaseRunner.Limits(
                    cgroupLimits(resources),
                    DiskBudget.start(
                            resources.disk(), List.of(prepared.workspace().root(), cache.dir())));
            runPhases(
                    build,
                    builder,
                    prepared.workspace(),
                    plan,
                    auth,
                    limits,
                    registryLoopbackPorts(request, builder, prepared));
            Report report = report(prepared.workspace());
            BuildResult result = readReport(request.image(), report);
            keepArtifacts(build, prepared.workspace(), result, report);
            return result;
        } catch (BuildCaches.CacheBusyException e) {
            throw new BuildFailure(e.getMessage(), e);
        } finally {
            TreeDeleter.deleteTree(build.buildDir());
        }
    }

    /**
     * A rebase (docs/lifecycle.md, "Rebase"): the app image's metadata read from the registry, the lifecycle image
     * of the lifecycle that exported it pulled, and its rebaser run with the build's credentials, limits and
     * network rules; the new digest comes from its report.toml, as an exporter's does.
     */
    private BuildResult rebase(BuildContext build) throws Exception {
        BuildRequest request = build.request();
        build.progress().note("reading the app image " + request.image());
        AppImageMetadata app;
        try {
            app = AppImageMetadata.from(
                    resolver.resolve(request.image(), request.registryAuth()).config());
        } catch (RegistryException e) {
            throw new BuildFailure("could not read the image to rebase, " + request.image() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the image " + request.image() + " cannot be rebased: " + e.getMessage(), e);
        }
        if (request.runImage().isEmpty() && app.runImages().isEmpty()) {
            throw new BuildFailure("the image " + request.image() + " names no run image in its metadata ("
                    + AppImageMetadata.LABEL + "); name the new one in runImage");
        }
        if (app.lifecycleVersion().isEmpty()
                && config.lifecycle().image().contains(BuilderInspection.VERSION_PLACEHOLDER)) {
            throw new BuildFailure("the lifecycle image " + config.lifecycle().image() + " (locald.lifecycle.image)"
                    + " needs the version of the lifecycle that exported " + request.image() + ", and its label "
                    + AppImageMetadata.BUILD_LABEL + " names none (launcher.version); set locald.lifecycle.image"
                    + " to a lifecycle image without {version}");
        }
        ImagePuller.PulledImage lifecycle = builderInspection.lifecycleImage(build, app.lifecycleVersion());
        PlatformApi api;
        try {
            api = PlatformApiNegotiation.negotiate(
                    BuilderInspection.lifecycleImageName(config.lifecycle().image(), app.lifecycleVersion()),
                    lifecycle.image().config());
        } catch (IncompatiblePlatformApiException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        build.progress()
                .note("platform API " + api + ", rebaser on the lifecycle image as " + REBASER_USER.uid() + ":"
                        + REBASER_USER.gid() + ", run image "
                        + request.runImage()
                                .map(ImageReference::toString)
                                .orElse("from the image's metadata: " + String.join(", ", app.runImages())));
        try {
            BuildWorkspace workspace = BuildWorkspace.create(build.buildDir(), REBASER_USER, Optional.empty());
            PlanOptions.Builder planned = PlanOptions.builder(request.image(), REBASER_USER)
                    .tags(request.tags())
                    .network(request.network())
                    .insecure(insecureRegistries(request.image()))
                    .lifecycleImage(true)
                    .logLevel(LogLevel.parse(config.lifecycle().logLevel()));
            request.runImage().ifPresent(planned::runImage);
            PlanOptions options = planned.build();
            List<ImageReference> images = new ArrayList<>(options.registryImages());
            for (String name : app.runImages()) {
                try {
                    images.add(ImageReference.parse(name));
                } catch (IllegalArgumentException e) {
                    // a mirror the rebaser cannot use either
                }
            }
            RegistryAuthEnv auth = registryAuth(build, images);
            PhasePlan plan;
            try {
                plan = PhasePlan.rebase(api, options, request.options().force());
            } catch (IncompatiblePlatformApiException e) {
                throw new BuildFailure(e.getMessage(), e);
            }
            BuildResources resources = request.resources()
                    .within(BuildResources.configured(config.builds().limits()));
            PhaseRunner.Limits limits = new PhaseRunner.Limits(
                    cgroupLimits(resources), DiskBudget.start(resources.disk(), List.of(workspace.root())));
            List<Integer> ports = RegistryHosts.loopbackPorts(
                    images.stream().map(ImageReference::registry).toList());
            try {
                for (PhaseSpec phase : plan.phases()) {
                    runPhase(build, phase, lifecycle, lifecycle.layerDirs(), workspace, auth, limits, ports);
                }
            } catch (BuildFailure e) {
                throw unnamedRunImage(request, app)
                        .map(why -> new BuildFailure(e.getMessage() + "; " + why, e))
                        .orElse(e);
            }
            Report report = report(workspace);
            BuildResult result = readReport(request.image(), report);
            keepReport(build, result, report);
            return result;
        } finally {
            TreeDeleter.deleteTree(build.buildDir());
        }
    }

    /**
     * Why a failed rebase may have been refused: from platform API 0.12 the rebaser takes only the run image the
     * app's metadata names (or a mirror) unless forced.
     */
    private static Optional<String> unnamedRunImage(BuildRequest request, AppImageMetadata app) {
        if (request.options().force() || request.runImage().isEmpty()) {
            return Optional.empty();
        }
        String asked = request.runImage().get().toString();
        if (app.runImages().contains(asked)) {
            return Optional.empty();
        }
        return Optional.of("the runImage " + asked + " is not the run image the app's metadata names ("
                + (app.runImages().isEmpty() ? "none" : String.join(", ", app.runImages()))
                + "), which the lifecycle refuses unless the request sets force: true");
    }

    /**
     * Makes the build's directories on the cache lease, fills /workspace with the app source, and writes
     * the platform's files: the env, run.toml, and order.toml when the request names buildpacks.
     */
    private PreparedWorkspace prepareWorkspace(
            BuildContext build,
            InspectedBuilder builder,
            BuildCaches.CacheLease cache,
            GitFetcher.Fetched git,
            ProjectDescriptor descriptor)
            throws Exception {
        BuildRequest request = build.request();
        CnbUser user = builder.user();
        BuildWorkspace workspace = BuildWorkspace.create(build.buildDir(), user, Optional.of(cache.dir()));
        prepareSource(build, workspace, user, git, descriptor.filter());
        // the descriptor's env first, the request's on top: the request wins a clash
        Map<String, String> env = new LinkedHashMap<>(descriptor.env());
        env.putAll(request.env());
        if (!request.bindings().isEmpty()) {
            // the lifecycle passes no SERVICE_BINDING_ROOT of its own env to buildpacks; /platform/env it does
            env.put(BindingsDir.ROOT_VARIABLE, BindingsDir.CONTAINER_PATH);
        }
        PlatformDir.write(workspace.platform(), env, user);
        Map<String, Map<String, String>> bindings = new LinkedHashMap<>();
        request.bindings().forEach((name, binding) -> bindings.put(name, binding.files()));
        BindingsDir.write(workspace.platform(), bindings, user);
        List<BuilderMetadata.RunImage> runs =
                RunToml.entries(request.runImage(), builder.metadata().runImages(), this::configuredMirrors);
        RunToml.write(workspace.layers(), runs, user);
        ImageReference runImage = runImage(build, builder, runs);
        List<String> group = order(request, descriptor);
        boolean customOrder = !group.isEmpty()
                || !descriptor.pre().isEmpty()
                || !descriptor.post().isEmpty();
        if (group.isEmpty() && customOrder) {
            OrderToml.writeOrder(workspace.layers(), wrappedBuilderOrder(builder, descriptor), user);
        } else if (customOrder) {
            OrderToml.write(
                    workspace.layers(),
                    order(group, builder, request.buildpacks().isEmpty() ? "of project.toml" : "of the request"),
                    user);
        }
        if (request.options().disableSystemBuildpacks()) {
            OrderToml.writeEmptySystem(workspace.layers(), user);
        }
        return new PreparedWorkspace(workspace, runImage, customOrder);
    }

    private PlanOptions planOptions(BuildContext build, InspectedBuilder builder, PreparedWorkspace prepared) {
        BuildRequest request = build.request();
        return PlanOptions.builder(request.image(), builder.user())
                .tags(request.tags())
                .runImage(prepared.runImage())
                .clearCache(request.clearCache())
                .network(request.network())
                .customOrder(prepared.customOrder())
                .cache(true)
                .insecure(insecureRegistries(request.image()))
                .lifecycleImage(builder.lifecycleImage().isPresent())
                .logLevel(LogLevel.parse(config.lifecycle().logLevel()))
                .bindings(!request.bindings().isEmpty())
                .extras(extras(request.options()))
                .build();
    }

    /** The request's options for the plan; {@code "now"} becomes this moment, as pack's --creation-time now. */
    private static PlanOptions.Extras extras(BuildOptions o) {
        return new PlanOptions.Extras(
                Optional.ofNullable(o.defaultProcess()),
                Optional.ofNullable(o.creationTime())
                        .map(t -> t.equals(BuildOptions.NOW) ? Instant.now().getEpochSecond() : Long.parseLong(t)),
                Optional.ofNullable(o.previousImage()).map(ImageReference::parse),
                Optional.ofNullable(o.execEnv()),
                o.disableSystemBuildpacks());
    }

    /**
     * An untrusted builder's own lifecycle never gets credentials: without the lifecycle image a build holding
     * any fails; one without may use the builder's lifecycle, as the log says (docs/security.md).
     */
    private static void requireLifecycleImageFor(BuildContext build, InspectedBuilder builder, RegistryAuthEnv auth)
            throws BuildFailure {
        if (builder.trusted() || builder.lifecycleImageUnavailable().isEmpty()) {
            return;
        }
        String why = builder.lifecycleImageUnavailable().get();
        if (!auth.isEmpty()) {
            throw new BuildFailure(why + "; the builder " + builder.name() + " is not trusted and this build carries"
                    + " registry credentials for " + String.join(", ", auth.registries())
                    + ", which its own lifecycle must not receive, so the build stops (set locald.lifecycle.image"
                    + " to a lifecycle image locald can pull, or trust the builder)");
        }
        build.progress()
                .note(why + "; this build carries no registry credentials, so it goes on without the lifecycle image");
    }

    /** One creator for a trusted builder, five phases otherwise; the plan's warnings go to the log. */
    private static PhasePlan planPhases(BuildContext build, InspectedBuilder builder, PlanOptions options)
            throws BuildFailure {
        PhasePlan plan;
        try {
            plan = PhasePlan.create(builder.api(), builder.trusted(), options);
        } catch (IncompatiblePlatformApiException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        plan.warnings().forEach(build.progress()::note);
        return plan;
    }

    private void runPhases(
            BuildContext build,
            InspectedBuilder builder,
            BuildWorkspace workspace,
            PhasePlan plan,
            RegistryAuthEnv auth,
            PhaseRunner.Limits limits,
            List<Integer> registryPorts)
            throws Exception {
        for (PhaseSpec phase : plan.phases()) {
            if (!builder.trusted()
                    && phase.registryAuth()
                    && phase.image() != PhaseImage.LIFECYCLE_IMAGE
                    && !auth.isEmpty()) {
                throw new IllegalStateException("refusing to give registry credentials to the "
                        + phase.phase().id() + " of the untrusted builder " + builder.name());
            }
            runPhase(
                    build,
                    phase,
                    builder.imageFor(phase),
                    builder.layerDirsFor(phase),
                    workspace,
                    auth,
                    limits,
                    registryPorts);
        }
    }

    /** Memory (swap held to the same value), processes and CPU quota of every phase container. */
    private static ResourceLimits cgroupLimits(BuildResources resources) {
        ResourceLimits limits = ResourceLimits.none()
                .withMemoryBytes(resources.memory().bytes())
                .withPids(resources.pids());
        return resources.cpus() == null ? limits : limits.withCpus(resources.cpus());
    }

    /**
     * The host loopback ports of this build's registries (the target with its tags, the run image and its
     * mirrors): what an isolated build's registry phases may reach on the host (docs/engine.md, Network).
     */
    private static List<Integer> registryLoopbackPorts(
            BuildRequest request, InspectedBuilder builder, PreparedWorkspace prepared) {
        List<String> registries = new ArrayList<>();
        registries.add(request.image().registry());
        request.tags().forEach(t -> registries.add(t.registry()));
        registries.add(prepared.runImage().registry());
        for (BuilderMetadata.RunImage run : builder.metadata().runImages()) {
            for (String name : concat(run.image(), run.mirrors())) {
                try {
                    registries.add(ImageReference.parse(name).registry());
                } catch (IllegalArgumentException e) {
                    // a mirror the lifecycle cannot use either
                }
            }
        }
        return RegistryHosts.loopbackPorts(registries);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** The published image from the exporter's report.toml: its digest, and its tags or else the target. */
    private static BuildResult readReport(ImageReference target, Report report) throws BuildFailure {
        return new BuildResult(
                target.toString(),
                report.digest()
                        .orElseThrow(() -> new BuildFailure(
                                "the exporter's report.toml names no image digest, so the published image is unknown")),
                report.tags().isEmpty() ? List.of(target.toString()) : report.tags());
    }

    /**
     * Keeps layers/sbom and the report (with the published image's build metadata) in the build's record
     * directory before /layers goes. The image is published by now: losing the SBOM, the image's metadata
     * or the report is a note in the log, not a failed build.
     */
    private void keepArtifacts(BuildContext build, BuildWorkspace workspace, BuildResult result, Report report) {
        try {
            BuildArtifacts.keepSbom(
                    workspace.layers(), store.sbomDir(build.job().id()), build.progress());
        } catch (IOException e) {
            build.progress().note("the SBOM could not be kept: " + e.getMessage());
        }
        keepReport(build, result, report);
    }

    /** The report with the published image's build metadata; losing it is a note in the log. */
    private void keepReport(BuildContext build, BuildResult result, Report report) {
        BuildRequest request = build.request();
        Optional<ImageConfig> published = Optional.empty();
        try {
            published =
                    Optional.of(resolver.resolve(request.image().withDigest(result.digest()), request.registryAuth())
                            .config());
        } catch (RegistryException e) {
            build.progress().note("the build metadata of the published image could not be read: " + e.getMessage());
        }
        try {
            Files.write(store.reportFile(build.job().id()), BuildArtifacts.reportJson(result, report, published));
        } catch (IOException e) {
            build.progress().note("the report could not be kept: " + e.getMessage());
        }
    }

    private void runPhase(
            BuildContext build,
            PhaseSpec phase,
            ImagePuller.PulledImage image,
            List<Path> layerDirs,
            BuildWorkspace workspace,
            RegistryAuthEnv auth,
            PhaseRunner.Limits limits,
            List<Integer> registryPorts)
            throws Exception {
        BuildJob job = build.job();
        BuildProgress progress = build.progress();
        Cancellation stop = build.stop();
        if (stop.isCancelled()) {
            throw new BuildFailure(
                    "the build was cancelled before the " + phase.phase().id() + " started");
        }
        String name = phase.phase().id();
        ImageConfig imageConfig = image.image().config();
        PhaseRunner.PhaseImageRoot root =
                new PhaseRunner.PhaseImageRoot(layerDirs, imageConfig.env(), imageConfig.workingDir());
        progress.phaseStarted(name);
        OutputSink sink = (stream, time, text) ->
                progress.log(name, stream == StreamKind.STDERR ? LogStream.STDERR : LogStream.STDOUT, time, text);
        Duration remaining = Duration.between(Instant.now(), job.deadline());
        PhaseRunner.Outcome outcome = phases.run(
                "locald-" + job.id() + "-" + name,
                phase,
                root,
                workspace,
                auth,
                registryPorts,
                sink,
                stop,
                Optional.of(remaining.isNegative() ? Duration.ZERO : remaining),
                build.workDir(),
                limits);
        ContainerResult result = outcome.container();
        progress.phaseFinished(name, result.exitCode(), result.duration());
        if (!outcome.succeeded()) {
            // a crossed limit first: the disk watch stops a phase as a cancellation would
            if (outcome.overDisk()) {
                throw new BuildFailure(
                        "the build wrote more than " + limits.disk().limit() + " in phase " + name);
            }
            if (result.oomKilled()) {
                throw new BuildFailure("the build ran out of memory (limit "
                        + new ByteSize(limits.cgroup().memoryBytes().orElseThrow()) + ") in phase " + name);
            }
            if (result.pidsLimitReached()) {
                throw new BuildFailure("the build started too many processes (limit "
                        + limits.cgroup().pids().orElseThrow() + ") in phase " + name);
            }
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

    private void prepareSource(
            BuildContext build, BuildWorkspace workspace, CnbUser user, GitFetcher.Fetched git, SourceFilter filter)
            throws Exception {
        BuildJob job = build.job();
        try {
            if (job.source() instanceof BuildSource.Archive archive) {
                sources.unpack(archive.file(), archive.format(), workspace.workspace(), user, filter);
            } else if (job.source() instanceof BuildSource.Directory directory) {
                sources.copyDirectory(directory.path(), workspace.workspace(), user, filter);
            } else if (git != null) {
                git.write(workspace.workspace(), user, filter);
            }
        } catch (GitFetchException e) {
            if (build.stop().isCancelled()) {
                throw new BuildFailure("the build was cancelled while its git source was written", e);
            }
            throw new BuildFailure("the git source could not be written: " + e.getMessage(), e);
        } catch (SourceArchiveException e) {
            throw refused(job, e);
        }
    }

    private static BuildFailure refused(BuildJob job, SourceArchiveException e) throws java.io.IOException {
        // a refused upload is of no use to anyone: it goes now, not when the build record expires
        if (job.source() instanceof BuildSource.Archive archive) {
            java.nio.file.Files.deleteIfExists(archive.file());
        }
        return new BuildFailure("the app source was refused: " + e.getMessage(), e);
    }

    /**
     * The source's project.toml (none: {@link ProjectDescriptor#NONE}), read before anything is written; an
     * invalid one fails the build before any phase with the descriptor's sentence.
     */
    private ProjectDescriptor descriptor(BuildContext build, GitFetcher.Fetched git) throws Exception {
        BuildJob job = build.job();
        Optional<byte[]> bytes;
        try {
            if (job.source() instanceof BuildSource.Archive archive) {
                bytes = sources.descriptor(archive.file(), archive.format());
            } else if (job.source() instanceof BuildSource.Directory directory) {
                bytes = sources.descriptor(directory.path());
            } else if (git != null) {
                bytes = git.descriptor();
            } else {
                bytes = Optional.empty();
            }
        } catch (SourceArchiveException e) {
            throw refused(job, e);
        }
        if (bytes.isEmpty()) {
            return ProjectDescriptor.NONE;
        }
        ProjectDescriptor descriptor;
        try {
            descriptor = ProjectDescriptor.parse(new String(bytes.get(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (ProjectDescriptorException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        build.progress()
                .note("project.toml: builder " + descriptor.builder().orElse("(none)") + ", env "
                        + descriptor.env().keySet() + ", group " + descriptor.group() + ", pre " + descriptor.pre()
                        + ", post " + descriptor.post() + ", "
                        + descriptor.include().size() + " include and "
                        + descriptor.exclude().size() + " exclude patterns");
        return descriptor;
    }

    /** The request's builder, else the descriptor's, checked with the request's rules (docs/security.md). */
    private ImageReference builderOf(BuildRequest request, ProjectDescriptor descriptor) throws BuildFailure {
        if (request.builder().isPresent()) {
            return request.builder().get();
        }
        String text = descriptor
                .builder()
                .orElseThrow(() -> new BuildFailure("no builder: the request names none and the source has no"
                        + " project.toml naming one (io.buildpacks.builder); set builder in the request or in"
                        + " project.toml"));
        return descriptorReference("builder", text);
    }

    /** An image project.toml names, checked with the request's rules for references (docs/security.md). */
    private ImageReference descriptorReference(String what, String text) throws BuildFailure {
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(
                    "project.toml: the " + what + " " + BuildpackRef.quote(text) + " is not a valid image reference: "
                            + e.getMessage(),
                    e);
        }
        if (ref.isLinkLocal()) {
            throw new BuildFailure("project.toml: the " + what + " " + ref + " names the registry " + ref.registry()
                    + ", a link-local address: locald never contacts link-local registries");
        }
        if (!config.registry().allowLoopback() && RegistryHosts.reachesThisMachine(ref.host())) {
            throw new BuildFailure("project.toml: the " + what + " " + ref + " names the registry " + ref.registry()
                    + ", which is on locald's own machine (loopback): registries on this machine are refused"
                    + " unless locald.registry.allow-loopback=true");
        }
        return ref;
    }

    /**
     * The {@code docker://} and {@code urn:cnb:registry:} entries of the order this build runs: the request's buildpacks or else the
     * descriptor's group, and the descriptor's pre and post groups; each once.
     */
    private static List<String> buildpackImages(BuildRequest request, ProjectDescriptor descriptor) {
        List<String> all = new ArrayList<>(request.buildpacks().isEmpty() ? descriptor.group() : request.buildpacks());
        all.addAll(descriptor.pre());
        all.addAll(descriptor.post());
        return all.stream()
                .filter(e -> Buildpackage.isImage(e) || RegistryBuildpack.isRegistry(e))
                .distinct()
                .toList();
    }

    /**
     * Resolves a {@code urn:cnb:registry:} entry to its image (docs/api.md, "Buildpacks from the buildpack
     * registry"); the address the registry names follows the registry rules of any image (link-local, loopback).
     */
    private BuildpackRegistry.Resolved fromRegistry(BuildContext build, String entry) throws BuildFailure {
        RegistryBuildpack named;
        try {
            named = RegistryBuildpack.parse(entry);
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(
                    "the buildpack " + BuildpackRef.quote(entry) + " is not a valid buildpack registry" + " reference: "
                            + e.getMessage(),
                    e);
        }
        BuildpackRegistry.Resolved resolved = buildpackRegistry.resolve(named);
        ImageReference ref = resolved.image();
        String what = "the buildpack " + entry + ": the buildpack registry at " + buildpackRegistry.url()
                + " names the image " + ref + " on the registry " + ref.registry();
        if (ref.isLinkLocal()) {
            throw new BuildFailure(what + ", a link-local address: locald never contacts link-local registries");
        }
        if (!config.registry().allowLoopback() && RegistryHosts.reachesThisMachine(ref.host())) {
            throw new BuildFailure(what + ", which is on locald's own machine (loopback): registries on this machine"
                    + " are refused unless locald.registry.allow-loopback=true");
        }
        build.progress()
                .note("buildpack " + entry + ": the buildpack registry at " + buildpackRegistry.url() + " names "
                        + resolved.top() + " at " + ref);
        return resolved;
    }

    /** A request's entry was checked by the API; a descriptor's is checked here like its builder. */
    private ImageReference buildpackImage(BuildRequest request, String entry) throws BuildFailure {
        String text = entry.substring(Buildpackage.DOCKER_PREFIX.length());
        if (request.buildpacks().contains(entry)) {
            return ImageReference.parse(text);
        }
        return descriptorReference("buildpack image", text);
    }

    /**
     * Fetches the git source in the build (its time counts against the deadline, cancel stops it), into a
     * scratch repository under the build's work directory that never reaches /workspace.
     */
    private GitFetcher.Fetched openGit(BuildContext build) throws Exception {
        if (!(build.job().source() instanceof BuildSource.Git git)) {
            return null;
        }
        GitFetcher.Listener listener = new GitFetcher.Listener() {
            @Override
            public void line(String text) {
                build.progress().note(text);
            }

            @Override
            public boolean stopped() {
                return build.stop().isCancelled();
            }
        };
        try {
            return sources.openGit(
                    git.source(),
                    git.auth(),
                    build.workDir().resolve("git"),
                    listener,
                    Duration.between(Instant.now(), build.job().deadline()));
        } catch (GitFetchException e) {
            if (build.stop().isCancelled()) {
                throw new BuildFailure("the build was cancelled while its git source was fetched", e);
            }
            throw new BuildFailure("the git source could not be fetched: " + e.getMessage(), e);
        } catch (SourceArchiveException e) {
            throw refused(build.job(), e);
        }
    }

    /**
     * CNB_REGISTRY_AUTH for every registry the credentialed phases touch (target, tags, run image): the
     * docker config's credentials, and the request's for the target registry on top. A docker-config
     * credential is handed over only for a registry holding at least one of those images inside the
     * request's image scope (a builder token's prefixes); the env is keyed by registry, so the lifecycle may
     * then use it for the other images of that registry too (docs/security.md).
     */
    private RegistryAuthEnv registryAuth(BuildContext build, List<ImageReference> images) throws BuildFailure {
        BuildRequest request = build.request();
        Map<String, RegistryCredential> fromConfig = new LinkedHashMap<>();
        for (ImageReference ref : images) {
            if (fromConfig.containsKey(ref.registry())) {
                continue;
            }
            if (!request.inScope(ref)) {
                continue;
            }
            try {
                Optional<RegistryCredential> credential = dockerCredentials.forImage(ref, Optional.empty());
                if (credential.isPresent()) {
                    fromConfig.put(ref.registry(), credential.get());
                    // the operator's secret is masked in the log like the request's own
                    build.progress().redact(credential.get());
                }
            } catch (RegistryException e) {
                if (ref.registry().equals(request.image().registry())) {
                    throw new BuildFailure(
                            "could not read the credentials for " + ref.registry() + ": " + e.getMessage(), e);
                }
                // another registry may well be readable anonymously; the phase says so if it is not
                build.progress().note("no credentials for " + ref.registry() + ": " + e.getMessage());
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

    /** locald's registry mirrors of a run image (locald.registry.mirrors): extra mirrors of its run.toml entry. */
    private List<String> configuredMirrors(String image) {
        try {
            return mirrors.of(ImageReference.parse(image)).stream()
                    .map(ImageReference::toString)
                    .toList();
        } catch (IllegalArgumentException e) {
            return List.of(); // an invalid run image fails in RunImageSelection with its own sentence
        }
    }

    /**
     * The run image handed to the phases as CNB_RUN_IMAGE. Without configured mirrors for its registry, chosen
     * by name as before (RunImageSelection.select). With them, chosen as the analyzer would choose from run.toml
     * (docs/configuration.md, locald.registry.mirrors): the first of the entry's images that locald can read, those
     * on the target's registry first. locald reads them itself so that the credentials, the isolated network and
     * the link-local rule all follow from the one image chosen.
     */
    private ImageReference runImage(BuildContext build, InspectedBuilder builder, List<BuilderMetadata.RunImage> runs)
            throws BuildFailure {
        BuildRequest request = build.request();
        ImageReference byName = runImage(request, builder);
        BuilderMetadata.RunImage entry = runs.get(0);
        if (configuredMirrors(entry.image()).isEmpty()) {
            return byName;
        }
        List<ImageReference> candidates;
        try {
            candidates = RunImageSelection.candidates(entry, request.image(), builder.name());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        List<String> failures = new ArrayList<>();
        for (ImageReference candidate : candidates) {
            if (build.stop().isCancelled()) {
                throw new BuildFailure("the build was cancelled while its run image was chosen");
            }
            // the request's registryAuth belongs to the target's registry only, as for the phases
            Optional<RegistryCredential> credential =
                    candidate.registry().equals(request.image().registry()) ? request.registryAuth() : Optional.empty();
            try {
                resolver.resolve(candidate, credential);
                build.progress()
                        .note("run image " + entry.image() + ": using " + candidate + " (of " + candidates.size()
                                + " with locald.registry.mirrors, the first locald could read)");
                return candidate;
            } catch (RegistryException e) {
                failures.add(candidate + ": " + e.getMessage());
            }
        }
        throw new BuildFailure("the run image " + entry.image() + " could be read neither from its registry nor from"
                + " any of its mirrors, so no phase ran (" + String.join("; ", failures) + ")");
    }

    private static ImageReference runImage(BuildRequest request, InspectedBuilder builder) throws BuildFailure {
        try {
            return RunImageSelection.select(
                    request.runImage(), builder.metadata().runImages(), request.image(), builder.name());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    /**
     * The one order group: the request's buildpacks, else the descriptor's group, wrapped in the descriptor's
     * pre and post groups; empty keeps the builder's order.
     */
    private static List<String> order(BuildRequest request, ProjectDescriptor descriptor) throws BuildFailure {
        List<String> group = request.buildpacks().isEmpty() ? descriptor.group() : request.buildpacks();
        if (group.isEmpty()) {
            return List.of(); // pre/post then wrap each group of the builder's order
        }
        List<String> all = new ArrayList<>(descriptor.pre());
        all.addAll(group);
        all.addAll(descriptor.post());
        return all;
    }

    /** Every group of the builder's order (its order label) between the descriptor's pre and post groups. */
    private static List<List<OrderToml.Entry>> wrappedBuilderOrder(InspectedBuilder builder, ProjectDescriptor d)
            throws BuildFailure {
        String label = builder.image()
                .image()
                .config()
                .label(BuildpackOrder.ORDER_LABEL)
                .orElseThrow(() -> new BuildFailure("project.toml's pre and post groups wrap the builder's order,"
                        + " but the builder " + builder.name() + " has no " + BuildpackOrder.ORDER_LABEL
                        + " label naming it; set io.buildpacks.group"));
        List<BuildpackRef> pre = d.pre().isEmpty() ? List.of() : order(d.pre(), builder, "of project.toml");
        List<BuildpackRef> post = d.post().isEmpty() ? List.of() : order(d.post(), builder, "of project.toml");
        try {
            return BuildpackOrder.wrap(label, pre, post, builder.name());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(
                    "the builder's order cannot be wrapped in project.toml's pre/post groups: " + e.getMessage(), e);
        }
    }

    /** The group's buildpacks resolved against the builder; naming one the builder lacks is the user's to fix. */
    private static List<BuildpackRef> order(List<String> group, InspectedBuilder builder, String whose)
            throws BuildFailure {
        try {
            AddedBuildpacks added = builder.added();
            return BuildpackOrder.resolve(
                    added.substitute(group), added.available(builder.metadata().buildpacks()), builder.name());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the buildpacks " + whose + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static Report report(BuildWorkspace workspace) throws BuildFailure {
        try {
            return ReportToml.read(workspace.layers());
        } catch (ReportToml.ReportException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }
}
