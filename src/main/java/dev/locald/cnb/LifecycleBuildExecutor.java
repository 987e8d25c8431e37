package dev.locald.cnb;

import dev.locald.builds.BuildCancellation;
import dev.locald.builds.BuildExecutor;
import dev.locald.builds.BuildFailure;
import dev.locald.builds.BuildJob;
import dev.locald.builds.BuildOptions;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResources;
import dev.locald.builds.BuildResult;
import dev.locald.builds.BuildSource;
import dev.locald.config.ByteSize;
import dev.locald.config.LocaldConfig;
import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
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
 * The real build, as named steps sharing one {@link BuildContext}: inspect the builder (pull it and the
 * lifecycle image for untrusted builders, negotiate the platform API), prepare the workspace, plan the
 * phases, run them container by container, and read the published digest from {@code report.toml}. Every
 * failure a user can act on becomes a {@link BuildFailure} with a sentence; the build's directories are
 * removed on every path.
 */
@ApplicationScoped
public class LifecycleBuildExecutor implements BuildExecutor {

    private final BuilderInspection builderInspection;
    private final PhaseRunner phases;
    private final BuildCaches caches;
    private final SourceUnpacker sources;
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
        this.builderInspection = new BuilderInspection(images, trustedBuilders, config);
        this.phases = phases;
        this.caches = caches;
        this.sources = sources;
        this.dockerCredentials = dockerCredentials;
        this.config = config;
    }

    @Override
    public BuildResult execute(BuildJob job, BuildProgress progress, BuildCancellation cancellation) throws Exception {
        Cancellation stop = Cancellation.create();
        cancellation.onCancel(stop::cancel);
        progress.note("pulling builder " + job.request().builder());
        BuildContext build = new BuildContext(job, progress, stop, new ArrayList<>());
        try {
            return build(build);
        } finally {
            build.leases().forEach(ImageCatalog.LeasedImage::close);
        }
    }

    private BuildResult build(BuildContext build) throws Exception {
        BuildRequest request = build.request();
        InspectedBuilder builder = builderInspection.inspect(build);
        if (build.stop().isCancelled()) {
            throw new BuildFailure("the build was cancelled");
        }
        try (BuildCaches.CacheLease cache = caches.acquire(
                request.image(),
                request.clearCache(),
                builder.user(),
                config.lifecycle().cacheWait())) {
            PreparedWorkspace prepared = prepareWorkspace(build, builder, cache);
            PlanOptions options = planOptions(build, builder, prepared);
            RegistryAuthEnv auth = registryAuth(build, options);
            requireLifecycleImageFor(build, builder, auth);
            PhasePlan plan = planPhases(build, builder, options);
            BuildResources resources = request.resources()
                    .within(BuildResources.configured(config.builds().limits()));
            PhaseRunner.Limits limits = new PhaseRunner.Limits(
                    cgroupLimits(resources),
                    DiskBudget.start(
                            resources.disk(), List.of(prepared.workspace().root(), cache.dir())));
            runPhases(build, builder, prepared.workspace(), plan, auth, limits);
            return readReport(request.image(), prepared.workspace());
        } catch (BuildCaches.CacheBusyException e) {
            throw new BuildFailure(e.getMessage(), e);
        } finally {
            TreeDeleter.deleteTree(build.buildDir());
        }
    }

    /**
     * Makes the build's directories on the cache lease, fills /workspace with the app source, and writes
     * the platform's files: the env, run.toml, and order.toml when the request names buildpacks.
     */
    private PreparedWorkspace prepareWorkspace(
            BuildContext build, InspectedBuilder builder, BuildCaches.CacheLease cache) throws Exception {
        BuildRequest request = build.request();
        CnbUser user = builder.user();
        BuildWorkspace workspace = BuildWorkspace.create(build.buildDir(), user, Optional.of(cache.dir()));
        prepareSource(build, workspace, user);
        PlatformDir.write(workspace.platform(), request.env(), user);
        RunToml.write(
                workspace.layers(),
                RunToml.entries(request.runImage(), builder.metadata().runImages()),
                user);
        ImageReference runImage = runImage(request, builder);
        boolean customOrder = !request.buildpacks().isEmpty();
        if (customOrder) {
            OrderToml.write(workspace.layers(), order(request, builder), user);
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
            PhaseRunner.Limits limits)
            throws Exception {
        for (PhaseSpec phase : plan.phases()) {
            if (!builder.trusted()
                    && phase.registryAuth()
                    && phase.image() != PhaseImage.LIFECYCLE_IMAGE
                    && !auth.isEmpty()) {
                throw new IllegalStateException("refusing to give registry credentials to the "
                        + phase.phase().id() + " of the untrusted builder " + builder.name());
            }
            runPhase(build, phase, builder.imageFor(phase), workspace, auth, limits);
        }
    }

    /** Memory (swap held to the same value), processes and CPU quota of every phase container. */
    private static ResourceLimits cgroupLimits(BuildResources resources) {
        ResourceLimits limits = ResourceLimits.none()
                .withMemoryBytes(resources.memory().bytes())
                .withPids(resources.pids());
        return resources.cpus() == null ? limits : limits.withCpus(resources.cpus());
    }

    /** The published image from the exporter's report.toml: its digest, and its tags or else the target. */
    private static BuildResult readReport(ImageReference target, BuildWorkspace workspace) throws BuildFailure {
        Report report = report(workspace);
        return new BuildResult(
                target.toString(),
                report.digest()
                        .orElseThrow(() -> new BuildFailure(
                                "the exporter's report.toml names no image digest, so the published image is unknown")),
                report.tags().isEmpty() ? List.of(target.toString()) : report.tags());
    }

    private void runPhase(
            BuildContext build,
            PhaseSpec phase,
            ImagePuller.PulledImage image,
            BuildWorkspace workspace,
            RegistryAuthEnv auth,
            PhaseRunner.Limits limits)
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
                new PhaseRunner.PhaseImageRoot(image.layerDirs(), imageConfig.env(), imageConfig.workingDir());
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

    private void prepareSource(BuildContext build, BuildWorkspace workspace, CnbUser user) throws Exception {
        BuildJob job = build.job();
        try {
            if (job.source() instanceof BuildSource.Archive archive) {
                sources.unpack(archive.file(), archive.format(), workspace.workspace(), user);
            } else if (job.source() instanceof BuildSource.Directory directory) {
                sources.copyDirectory(directory.path(), workspace.workspace(), user);
            } else if (job.source() instanceof BuildSource.Git git) {
                fetchGit(build, git, workspace, user);
            }
        } catch (SourceArchiveException e) {
            // a refused upload is of no use to anyone: it goes now, not when the build record expires
            if (job.source() instanceof BuildSource.Archive archive) {
                java.nio.file.Files.deleteIfExists(archive.file());
            }
            throw new BuildFailure("the app source was refused: " + e.getMessage(), e);
        }
    }

    /**
     * Fetches the git source in the build (its time counts against the deadline, cancel stops it), into a
     * scratch repository under the build's work directory that never reaches /workspace.
     */
    private void fetchGit(BuildContext build, BuildSource.Git git, BuildWorkspace workspace, CnbUser user)
            throws Exception {
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
            sources.fetchGit(
                    git.source(),
                    git.auth(),
                    build.workDir().resolve("git"),
                    workspace.workspace(),
                    user,
                    listener,
                    Duration.between(Instant.now(), build.job().deadline()));
        } catch (GitFetchException e) {
            if (build.stop().isCancelled()) {
                throw new BuildFailure("the build was cancelled while its git source was fetched", e);
            }
            throw new BuildFailure("the git source could not be fetched: " + e.getMessage(), e);
        }
    }

    /**
     * CNB_REGISTRY_AUTH for every registry the credentialed phases touch (target, tags, run image): the
     * docker config's credentials, and the request's for the target registry on top. A docker-config
     * credential is handed over only for a registry holding at least one of those images inside the
     * request's image scope (a builder token's prefixes); the env is keyed by registry, so the lifecycle may
     * then use it for the other images of that registry too (docs/security.md).
     */
    private RegistryAuthEnv registryAuth(BuildContext build, PlanOptions options) throws BuildFailure {
        BuildRequest request = build.request();
        Map<String, RegistryCredential> fromConfig = new LinkedHashMap<>();
        for (ImageReference ref : options.registryImages()) {
            if (fromConfig.containsKey(ref.registry())) {
                continue;
            }
            if (!request.inScope(ref)) {
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

    private static ImageReference runImage(BuildRequest request, InspectedBuilder builder) throws BuildFailure {
        try {
            return RunImageSelection.select(
                    request.runImage(), builder.metadata().runImages(), request.image(), builder.name());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure(e.getMessage(), e);
        }
    }

    /** The request's buildpacks as one group; naming one the builder lacks is the user's to fix. */
    private static List<BuildpackRef> order(BuildRequest request, InspectedBuilder builder) throws BuildFailure {
        try {
            return BuildpackOrder.resolve(
                    request.buildpacks(), builder.metadata().buildpacks(), builder.name());
        } catch (IllegalArgumentException e) {
            throw new BuildFailure("the buildpacks of the request cannot be used: " + e.getMessage(), e);
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
