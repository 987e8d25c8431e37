package dev.locald.lifecycle;

import static dev.locald.lifecycle.BuildDir.ANALYZED_TOML;
import static dev.locald.lifecycle.BuildDir.CACHE;
import static dev.locald.lifecycle.BuildDir.GROUP_TOML;
import static dev.locald.lifecycle.BuildDir.LAYERS;
import static dev.locald.lifecycle.BuildDir.ORDER_TOML;
import static dev.locald.lifecycle.BuildDir.PLAN_TOML;
import static dev.locald.lifecycle.BuildDir.PLATFORM;
import static dev.locald.lifecycle.BuildDir.REPORT_TOML;
import static dev.locald.lifecycle.BuildDir.RUN_TOML;
import static dev.locald.lifecycle.BuildDir.SYSTEM_TOML;
import static dev.locald.lifecycle.BuildDir.WORKSPACE;

import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import dev.locald.image.RegistryHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which phase containers a build runs, in order, and how each is set up (docs/lifecycle.md).
 *
 * <ul>
 *   <li>Trusted builder with network: one {@code creator} on the builder, with credentials.</li>
 *   <li>Otherwise analyzer → detector → restorer → builder → exporter, each a fresh container. For an
 *       untrusted builder analyzer, restorer and exporter run on the trusted lifecycle image (unless it could
 *       not be pulled for a build without credentials); only those three get credentials.</li>
 *   <li>A trusted builder with {@code network=none} also takes the five-phase path: the creator cannot run
 *       buildpacks without network while still reaching the registry, but split phases can.</li>
 * </ul>
 * Settings travel as {@code CNB_*} env (read at every API) rather than flags (an unknown flag exits 2);
 * only positional image names and {@code -tag} (defined at every API for analyzer and creator, no env
 * equivalent) are arguments.
 */
public record PhasePlan(PlatformApi api, boolean trustedBuilder, List<PhaseSpec> phases, List<String> warnings) {

    public PhasePlan {
        phases = List.copyOf(phases);
        warnings = List.copyOf(warnings);
    }

    public static PhasePlan create(PlatformApi api, boolean trustedBuilder, PlanOptions o) {
        requireSupported(api);
        requireTagsOnImageRegistry(o);
        List<String> warnings = new ArrayList<>();
        checkExtras(api, o.extras(), warnings);
        List<PhaseSpec> phases = new ArrayList<>();
        if (trustedBuilder && o.network() != NetworkMode.NONE) {
            phases.add(creator(api, o));
        } else {
            PhaseImage credentialed = PhaseImage.BUILDER;
            if (!trustedBuilder) {
                if (o.lifecycleImage()) {
                    credentialed = PhaseImage.LIFECYCLE_IMAGE;
                } else {
                    // the platform hands them no credentials then (docs/security.md)
                    warnings.add("without the lifecycle image, the untrusted builder's own lifecycle"
                            + " binaries run analyzer, restorer and exporter, with no registry credentials");
                }
            }
            phases.add(analyzer(api, o, credentialed));
            phases.add(detector(api, o));
            phases.add(restorer(api, o, credentialed));
            phases.add(builder(api, o));
            phases.add(exporter(api, o, credentialed));
        }
        return new PhasePlan(api, trustedBuilder, phases, warnings);
    }

    /**
     * A rebase (docs/lifecycle.md, "Rebase"): one {@code rebaser} on the lifecycle image, with credentials, writing
     * {@code o.image()} and its tags; {@code CNB_RUN_IMAGE} only when the request names the new run image, else
     * the rebaser takes the one the app image's metadata names (best mirror first). {@code force} is the
     * rebaser's {@code -force}. Its report.toml is the exporter's format.
     */
    public static PhasePlan rebase(PlatformApi api, PlanOptions o, boolean force) {
        requireSupported(api);
        requireTagsOnImageRegistry(o);
        TreeMap<String, String> env = common(api, o);
        registryEnv(env, o);
        env.put(PlatformEnv.REPORT_PATH, LAYERS.containerPath(REPORT_TOML));
        o.runImage().ifPresent(r -> env.put(PlatformEnv.RUN_IMAGE, r.toString()));
        if (force) {
            env.put(PlatformEnv.FORCE_REBASE, "true");
        }
        List<String> args = new ArrayList<>();
        args.add(o.image().toString());
        o.tags().forEach(t -> args.add(t.toString())); // like the exporter: extra tags are positional images
        PhaseSpec rebaser = spec(
                Phase.REBASER, PhaseImage.LIFECYCLE_IMAGE, args, env, true, List.of(rw(LAYERS)), registryNetwork(o), o);
        return new PhasePlan(api, false, List.of(rebaser), List.of());
    }

    private static void requireSupported(PlatformApi api) {
        if (!PlatformApiNegotiation.LOCALD_SUPPORTED.contains(api)) {
            throw new IncompatiblePlatformApiException("locald cannot plan a build at platform API " + api
                    + "; it supports " + PlatformApiNegotiation.range(PlatformApiNegotiation.LOCALD_SUPPORTED));
        }
    }

    private static void requireTagsOnImageRegistry(PlanOptions o) {
        String registry = RegistryHosts.lifecycleName(o.image().registry());
        for (ImageReference tag : o.tags()) {
            if (!RegistryHosts.lifecycleName(tag.registry()).equals(registry)) {
                throw new IllegalArgumentException("tag " + tag + " is on registry " + tag.registry()
                        + " but the image is on " + o.image().registry()
                        + "; the lifecycle publishes every tag to the image's registry");
            }
        }
    }

    /**
     * Execution environments and system buildpacks exist from platform 0.15 on. Below it a lifecycle builds
     * as for production and knows no system buildpacks, so asking for another environment fails the build
     * (the buildpacks would silently build for production), and the rest is only noted (docs/lifecycle.md).
     */
    private static void checkExtras(PlatformApi api, PlanOptions.Extras x, List<String> warnings) {
        if (api.atLeast(PlatformApi.EXEC_ENV)) {
            return;
        }
        x.execEnv().ifPresent(e -> {
            if (!e.equals(PlanOptions.Extras.PRODUCTION)) {
                throw new IncompatiblePlatformApiException("execEnv " + e + " needs platform API "
                        + PlatformApi.EXEC_ENV + ", but this build runs at " + api
                        + " (the builder's lifecycle or the lifecycle image is older); a lifecycle below "
                        + PlatformApi.EXEC_ENV + " builds for production only, so leave execEnv unset or use"
                        + " a builder with lifecycle 0.21 or newer");
            }
            warnings.add("execEnv production: platform API " + api + " has no execution environments and"
                    + " builds for production anyway");
        });
        if (x.disableSystemBuildpacks()) {
            warnings.add("disableSystemBuildpacks: platform API " + api + " has no system buildpacks" + " (they need "
                    + PlatformApi.EXEC_ENV + "), so there is nothing to disable");
        }
    }

    private static TreeMap<String, String> common(PlatformApi api, PlanOptions o) {
        TreeMap<String, String> env = new TreeMap<>();
        env.put(PlatformEnv.PLATFORM_API, api.toString());
        env.put(PlatformEnv.LAYERS_DIR, LAYERS.containerPath());
        env.put(PlatformEnv.LOG_LEVEL, o.logLevel().value());
        env.put(PlatformEnv.NO_COLOR, "true");
        // Phases started as the CNB user drop "privileges" to these ids: they must equal the process's own.
        env.put(PlatformEnv.USER_ID, Integer.toString(o.user().uid()));
        env.put(PlatformEnv.GROUP_ID, Integer.toString(o.user().gid()));
        if (o.bindings()) {
            env.put(PlatformEnv.SERVICE_BINDING_ROOT, BindingsDir.CONTAINER_PATH);
        }
        // as pack does: every phase of a 0.15 build knows the environment (detector, builder, exporter read it)
        if (api.atLeast(PlatformApi.EXEC_ENV)) {
            o.extras().execEnv().ifPresent(e -> env.put(PlatformEnv.EXEC_ENV, e));
        }
        return env;
    }

    /** The previous image whose layers the analyzer (or creator) reads; unset, the lifecycle uses the target. */
    private static void previousImage(Map<String, String> env, PlanOptions o) {
        o.extras().previousImage().ifPresent(p -> env.put(PlatformEnv.PREVIOUS_IMAGE, p.toString()));
    }

    /** What the exporter (or creator) writes into the image config: entrypoint process and creation time. */
    private static void exportEnv(Map<String, String> env, PlanOptions o) {
        o.extras().defaultProcess().ifPresent(p -> env.put(PlatformEnv.PROCESS_TYPE, p));
        o.extras().sourceDateEpoch().ifPresent(t -> env.put(PlatformEnv.SOURCE_DATE_EPOCH, Long.toString(t)));
    }

    /**
     * Detector and creator read {@code /cnb/system.toml} at 0.15; disabling points them at the platform's
     * empty one (the lifecycle treats a missing file as "none" too, but an empty file says so explicitly).
     */
    private static void systemBuildpacks(PlatformApi api, Map<String, String> env, PlanOptions o) {
        if (api.atLeast(PlatformApi.EXEC_ENV) && o.extras().disableSystemBuildpacks()) {
            env.put(PlatformEnv.SYSTEM_PATH, LAYERS.containerPath(SYSTEM_TOML));
        }
    }

    /** The lifecycle reads CNB_INSECURE_REGISTRIES at every API (only the flag is from 0.13 on), so always pass it. */
    private static void registryEnv(Map<String, String> env, PlanOptions o) {
        env.put(PlatformEnv.USE_DAEMON, "false");
        if (!o.insecureRegistries().isEmpty()) {
            env.put(PlatformEnv.INSECURE_REGISTRIES, String.join(",", o.insecureRegistries()));
        }
    }

    private static PhaseSpec analyzer(PlatformApi api, PlanOptions o, PhaseImage image) {
        TreeMap<String, String> env = common(api, o);
        registryEnv(env, o);
        env.put(PlatformEnv.ANALYZED_PATH, LAYERS.containerPath(ANALYZED_TOML));
        env.put(PlatformEnv.RUN_PATH, LAYERS.containerPath(RUN_TOML));
        o.runImage().ifPresent(r -> env.put(PlatformEnv.RUN_IMAGE, r.toString()));
        previousImage(env, o);
        if (o.clearCache()) {
            skipLayers(env);
        }
        return spec(Phase.ANALYZER, image, tagFlagsThenImage(o), env, true, List.of(rw(LAYERS)), registryNetwork(o), o);
    }

    private static PhaseSpec detector(PlatformApi api, PlanOptions o) {
        TreeMap<String, String> env = common(api, o);
        env.put(PlatformEnv.APP_DIR, WORKSPACE.containerPath());
        env.put(PlatformEnv.PLATFORM_DIR, PLATFORM.containerPath());
        env.put(PlatformEnv.ANALYZED_PATH, LAYERS.containerPath(ANALYZED_TOML));
        env.put(PlatformEnv.GROUP_PATH, LAYERS.containerPath(GROUP_TOML));
        env.put(PlatformEnv.PLAN_PATH, LAYERS.containerPath(PLAN_TOML));
        env.put(PlatformEnv.RUN_PATH, LAYERS.containerPath(RUN_TOML));
        if (o.customOrder()) {
            env.put(PlatformEnv.ORDER_PATH, LAYERS.containerPath(ORDER_TOML));
        }
        systemBuildpacks(api, env, o);
        return spec(
                Phase.DETECTOR,
                PhaseImage.BUILDER,
                List.of(),
                env,
                false,
                List.of(rw(LAYERS), rw(WORKSPACE), ro(PLATFORM)),
                o.network(),
                o);
    }

    /**
     * The network of the phases that talk to registries: an isolated build keeps them isolated (the
     * container engine lets them reach only the build's loopback registries); otherwise the host's, as
     * a build without network still has to read and publish images.
     */
    private static NetworkMode registryNetwork(PlanOptions o) {
        return o.network() == NetworkMode.ISOLATED ? NetworkMode.ISOLATED : NetworkMode.HOST;
    }

    /** A phase run as the CNB user with its own binary. */
    private static PhaseSpec spec(
            Phase phase,
            PhaseImage image,
            List<String> args,
            TreeMap<String, String> env,
            boolean registryAuth,
            List<PhaseMount> mounts,
            NetworkMode network,
            PlanOptions o) {
        return new PhaseSpec(phase, image, phase.binary(), args, env, registryAuth, mounts, network, o.user());
    }

    private static PhaseSpec restorer(PlatformApi api, PlanOptions o, PhaseImage image) {
        TreeMap<String, String> env = common(api, o);
        registryEnv(env, o);
        env.put(PlatformEnv.ANALYZED_PATH, LAYERS.containerPath(ANALYZED_TOML));
        env.put(PlatformEnv.GROUP_PATH, LAYERS.containerPath(GROUP_TOML));
        env.put(PlatformEnv.RUN_PATH, LAYERS.containerPath(RUN_TOML)); // read from 0.14 on; harmless before
        if (o.clearCache()) {
            skipLayers(env);
        }
        List<PhaseMount> mounts = new ArrayList<>(List.of(rw(LAYERS)));
        cache(env, mounts, o);
        return spec(Phase.RESTORER, image, List.of(), env, true, mounts, registryNetwork(o), o);
    }

    private static PhaseSpec builder(PlatformApi api, PlanOptions o) {
        TreeMap<String, String> env = common(api, o);
        env.put(PlatformEnv.APP_DIR, WORKSPACE.containerPath());
        env.put(PlatformEnv.PLATFORM_DIR, PLATFORM.containerPath());
        env.put(PlatformEnv.ANALYZED_PATH, LAYERS.containerPath(ANALYZED_TOML));
        env.put(PlatformEnv.GROUP_PATH, LAYERS.containerPath(GROUP_TOML));
        env.put(PlatformEnv.PLAN_PATH, LAYERS.containerPath(PLAN_TOML));
        return spec(
                Phase.BUILDER,
                PhaseImage.BUILDER,
                List.of(),
                env,
                false,
                List.of(rw(LAYERS), rw(WORKSPACE), ro(PLATFORM)),
                o.network(),
                o);
    }

    private static PhaseSpec exporter(PlatformApi api, PlanOptions o, PhaseImage image) {
        TreeMap<String, String> env = common(api, o);
        registryEnv(env, o);
        env.put(PlatformEnv.APP_DIR, WORKSPACE.containerPath());
        env.put(PlatformEnv.ANALYZED_PATH, LAYERS.containerPath(ANALYZED_TOML));
        env.put(PlatformEnv.GROUP_PATH, LAYERS.containerPath(GROUP_TOML));
        env.put(PlatformEnv.REPORT_PATH, LAYERS.containerPath(REPORT_TOML));
        env.put(PlatformEnv.RUN_PATH, LAYERS.containerPath(RUN_TOML));
        exportEnv(env, o);
        // The run image comes only from analyzed.toml; -run-image/CNB_RUN_IMAGE on the exporter exits 3.
        List<PhaseMount> mounts = new ArrayList<>(List.of(rw(LAYERS), ro(WORKSPACE)));
        cache(env, mounts, o);
        List<String> args = new ArrayList<>();
        args.add(o.image().toString());
        o.tags().forEach(t -> args.add(t.toString())); // the exporter takes extra tags as positional images
        return spec(Phase.EXPORTER, image, args, env, true, mounts, registryNetwork(o), o);
    }

    private static PhaseSpec creator(PlatformApi api, PlanOptions o) {
        TreeMap<String, String> env = common(api, o);
        registryEnv(env, o);
        env.put(PlatformEnv.APP_DIR, WORKSPACE.containerPath());
        env.put(PlatformEnv.PLATFORM_DIR, PLATFORM.containerPath());
        env.put(PlatformEnv.ANALYZED_PATH, LAYERS.containerPath(ANALYZED_TOML));
        env.put(PlatformEnv.GROUP_PATH, LAYERS.containerPath(GROUP_TOML));
        env.put(PlatformEnv.PLAN_PATH, LAYERS.containerPath(PLAN_TOML));
        env.put(PlatformEnv.REPORT_PATH, LAYERS.containerPath(REPORT_TOML));
        env.put(PlatformEnv.RUN_PATH, LAYERS.containerPath(RUN_TOML));
        o.runImage().ifPresent(r -> env.put(PlatformEnv.RUN_IMAGE, r.toString()));
        previousImage(env, o);
        exportEnv(env, o);
        if (o.customOrder()) {
            env.put(PlatformEnv.ORDER_PATH, LAYERS.containerPath(ORDER_TOML));
        }
        systemBuildpacks(api, env, o);
        if (o.clearCache()) {
            env.put(PlatformEnv.SKIP_RESTORE, "true");
        }
        List<PhaseMount> mounts = new ArrayList<>(List.of(rw(LAYERS), rw(WORKSPACE), ro(PLATFORM)));
        cache(env, mounts, o);
        return spec(Phase.CREATOR, PhaseImage.BUILDER, tagFlagsThenImage(o), env, true, mounts, o.network(), o);
    }

    /**
     * Ignore the previous image's layers. Current lifecycles name this env CNB_SKIP_LAYERS, some older ones
     * CNB_ANALYZE_SKIP_LAYERS, but every version also maps CNB_SKIP_RESTORE to it for every phase
     * (platform.NewLifecycleInputs); set the current name and the one all versions read.
     */
    private static void skipLayers(Map<String, String> env) {
        env.put(PlatformEnv.SKIP_LAYERS, "true");
        env.put(PlatformEnv.SKIP_RESTORE, "true");
    }

    private static void cache(Map<String, String> env, List<PhaseMount> mounts, PlanOptions o) {
        if (o.cacheDir()) {
            env.put(PlatformEnv.CACHE_DIR, CACHE.containerPath());
            mounts.add(rw(CACHE));
        }
    }

    /** {@code -tag} exists at every API for analyzer and creator and has no env form; flags precede the image. */
    private static List<String> tagFlagsThenImage(PlanOptions o) {
        List<String> args = new ArrayList<>();
        for (ImageReference tag : o.tags()) {
            args.add("-tag");
            args.add(tag.toString());
        }
        args.add(o.image().toString());
        return args;
    }

    private static PhaseMount rw(BuildDir dir) {
        return new PhaseMount(dir, false);
    }

    private static PhaseMount ro(BuildDir dir) {
        return new PhaseMount(dir, true);
    }
}
