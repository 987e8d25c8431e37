package dev.locald.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Every setting of locald, under the prefix {@code locald}. Each key and its default is documented in
 * {@code docs/configuration.md}; keep the two in step.
 */
@ConfigMapping(prefix = "locald")
public interface LocaldConfig {

    /** Where blobs, extracted layers, build records, logs and runc state live: the user's data home (XDG). */
    @WithDefault("${XDG_DATA_HOME:${user.home}/.local/share}/locald")
    Path dataDir();

    /** {@link #dataDir()} made absolute (relative to the working directory): runc and bind mounts need absolute paths. */
    default Path dataRoot() {
        return dataDir().toAbsolutePath().normalize();
    }

    Registry registry();

    Limits limits();

    Runtime runtime();

    Lifecycle lifecycle();

    Buildpacks buildpacks();

    Rootfs rootfs();

    interface Rootfs {
        /**
         * How build root filesystems are assembled: {@code auto} probes once whether an overlay mount
         * with {@code userxattr} works here and falls back to copying the layers when it does not;
         * {@code true} always mounts an overlay (failing when it cannot); {@code false} always copies.
         */
        @WithDefault("auto")
        OverlayMode overlay();

        enum OverlayMode {
            AUTO,
            TRUE,
            FALSE
        }
    }

    Builds builds();

    Health health();

    Janitor janitor();

    Auth auth();

    Network network();

    /** The build network (see docs/engine.md, Network). */
    interface Network {
        /** The network a build gets when its request names none: {@code isolated}, {@code host} or {@code none}. */
        @WithDefault("isolated")
        String defaultMode();

        /**
         * CIDRs that isolated containers cannot reach, on top of the always refused link-local ranges and
         * the host's own addresses (e.g. {@code 10.0.0.0/8,192.168.0.0/16}). Unset: nothing more.
         */
        Optional<List<String>> deny();

        /** Whether a builder token may ask for {@code network: "host"} (admin tokens and an open API always may). */
        @WithDefault("false")
        boolean hostForBuilders();

        /** The pasta binary (Debian package passt) that gives isolated containers their outbound access. */
        @WithDefault("pasta")
        String pastaBinary();

        /**
         * Whether isolated containers of a host whose resolv.conf lists only loopback resolvers (a stub such
         * as systemd-resolved's 127.0.0.53) resolve through the first of them: their resolv.conf names
         * 127.0.0.1, pasta forwards UDP port 53 there to a relay in locald that asks that resolver. false:
         * such hosts' containers get the fallback nameservers.
         */
        @WithDefault("true")
        boolean forwardLoopbackDns();

        /**
         * How many isolated networks without host loopback ports (for detector and builder) are kept ready,
         * pasta started, so that a container need not wait for pasta's start-up. 0: each is made on demand.
         */
        @WithDefault("1")
        int warmNamespaces();

        /** How long pasta may take to set up a container's network. */
        @WithDefault("PT10S")
        Duration setupTimeout();
    }

    /** Who may call the API (see docs/api.md, Authentication). */
    interface Auth {
        /**
         * A file of API tokens, one per line: {@code <name> <role> sha256:<hex> [images=<prefix>,...]}; re-read
         * when it changes. Unset: the API is open, and locald refuses to listen on anything but loopback.
         */
        Optional<Path> tokensFile();
    }

    /** Readiness checks (see docs/operations.md). */
    interface Health {
        /** Free bytes the data directory's filesystem must keep; below it locald reports itself not ready. */
        @WithDefault("1073741824")
        long minFreeBytes();

        /** Deadline for {@code runc --version} in the readiness check. */
        @WithDefault("PT5S")
        Duration runcTimeout();
    }

    /** The scheduled cleanup, which also runs once at startup as crash recovery. */
    interface Janitor {
        /** How often the janitor runs (a Quarkus scheduler interval such as {@code 15m}). */
        @WithDefault("15m")
        String interval();

        /** Finished builds older than this (by their end) are deleted with their logs. */
        @WithDefault("P7D")
        Duration buildRetention();

        /** At most this many finished builds are kept; the oldest beyond it are deleted. */
        @WithDefault("1000")
        int buildRetentionCount();

        /**
         * Blobs and extracted layers of images pulled (used) within this period are kept; what no such image
         * references is deleted.
         */
        @WithDefault("P3D")
        Duration imageRetention();

        /**
         * Bytes the blob and layer stores may hold together; above it, whole images are evicted least recently
         * used first, even within the image retention (never those in use).
         */
        @WithDefault("53687091200")
        long storeBudgetBytes();

        /**
         * Nothing used more recently than this is deleted by the store GC, and unfinished downloads younger
         * than this are left alone; keep it above the longest pull.
         */
        @WithDefault("PT1H")
        Duration minIdle();
    }

    interface Registry {
        /**
         * Registries (host or host:port) reached over plain HTTP. Loopback registries are always
         * allowed to fall back to HTTP, as docker does.
         */
        Optional<List<String>> insecure();

        /**
         * Whether build and pull requests may name a registry on this machine (127.0.0.0/8, ::1, localhost,
         * 0.0.0.0). Off by default so that an API client cannot point locald at its host's own services; on in
         * the dev and test profiles, whose registry is on 127.0.0.1:5000. Link-local registries are refused
         * whatever this says.
         */
        @WithDefault("false")
        boolean allowLoopback();

        /** Docker config.json consulted for credentials and credential helpers. */
        @WithDefault("${user.home}/.docker/config.json")
        Path dockerConfig();

        /** Platform chosen from an image index, as os/architecture[/variant]. */
        @WithDefault("linux/amd64")
        String platform();

        /** Layers downloaded at once for one image. */
        @WithDefault("4")
        int parallelDownloads();

        /**
         * How long a tag a build resolved at its registry is taken as current by builds with {@code pullPolicy}
         * {@code if-not-present} (the default): within it the cached image is used without asking the registry
         * again. Builds with {@code always} ask every time; {@code never} never asks. Zero asks every time.
         */
        @WithDefault("PT5M")
        Duration tagTtl();

        /**
         * Mirrors by registry ({@code locald.registry.mirrors."docker.io"=mirror.example:5000,mirror2.example}):
         * tried in order before the origin for the images locald pulls (builder, lifecycle image, POST /images),
         * each serving the origin's repositories under the same names; the origin is asked when every mirror
         * fails. None by default.
         */
        Map<String, List<String>> mirrors();

        /** How often a transient registry failure (I/O error, 5xx, 429) is tried again. */
        @WithDefault("3")
        int retries();

        /** Wait before the first retry of a transient registry failure; doubled for each further retry. */
        @WithDefault("PT0.2S")
        Duration retryBackoff();

        /** Timeout for opening a connection (TCP and TLS) to a registry. */
        @WithDefault("PT10S")
        Duration connectTimeout();

        /**
         * Time a registry has to send the headers of a response, and the longest pause allowed while a body
         * streams (a stalled transfer is abandoned and retried).
         */
        @WithDefault("PT60S")
        Duration requestTimeout();
    }

    interface Limits {
        /** Largest manifest or index accepted from a registry, in bytes. */
        @WithDefault("4194304")
        long maxManifestBytes();

        /** Largest image config accepted, in bytes. */
        @WithDefault("8388608")
        long maxConfigBytes();

        /** Largest total of uncompressed bytes one layer may expand to. */
        @WithDefault("17179869184")
        long maxLayerExpandedBytes();

        /** Largest number of tar entries in one layer. */
        @WithDefault("1000000")
        long maxLayerEntries();

        /** Largest ratio of uncompressed to compressed bytes before a layer counts as a bomb. */
        @WithDefault("1000")
        long maxCompressionRatio();

        /** Longest path (in UTF-8 bytes) of one layer entry, or of a link target. */
        @WithDefault("4096")
        int maxLayerPathLength();

        /** Largest single regular file in a layer, in bytes (after sparse expansion). */
        @WithDefault("8589934592")
        long maxLayerFileBytes();

        /** Deadline for pulling one image. */
        @WithDefault("PT30M")
        Duration pullTimeout();
    }

    /** The container engine: runc, bundles, cgroups and the synthetic /etc. */
    interface Runtime {
        /** The runc binary. */
        @WithDefault("/usr/sbin/runc")
        Path runcBinary();

        /** runc's {@code --root} (container state) for locald's containers; default {@code <data-dir>/runc}. */
        Optional<Path> stateDir();

        /** Where one bundle directory per run is created; default {@code <data-dir>/bundles}. */
        Optional<Path> bundleDir();

        /** Relative cgroup under which each container gets {@code <parent>/<id>} in every hierarchy. */
        @WithDefault("locald")
        String cgroupParent();

        /** RLIMIT_NOFILE for container processes; lowered to the host's hard limit when that is smaller. */
        @WithDefault("1048576")
        long openFiles();

        /** The host's resolv.conf that the containers' one is derived from. */
        @WithDefault("/etc/resolv.conf")
        Path hostResolvConf();

        /** Nameservers used in an isolated network when the host has none but loopback ones. */
        @WithDefault("8.8.8.8,8.8.4.4")
        List<String> fallbackNameservers();

        /** Longest output line passed on whole; longer lines are split. */
        @WithDefault("65536")
        int maxLineBytes();

        /** How often a running container is checked for deadline, cancellation and OOM. */
        @WithDefault("PT0.05S")
        Duration pollInterval();

        /** How long to wait for a killed container (and its output) to end before forcing it. */
        @WithDefault("PT10S")
        Duration stopTimeout();

        /** Deadline of one runc kill/delete/list/state command. */
        @WithDefault("PT30S")
        Duration commandTimeout();

        /**
         * The seccomp filter of every container: {@code default} (the built-in profile, Docker's default
         * allow-list for processes without capabilities), {@code unconfined} (none; logged as a warning at
         * startup) or the absolute path of a profile in runc's {@code linux.seccomp} form. See docs/security.md.
         */
        @WithDefault("default")
        String seccomp();
    }

    /** How builds drive the CNB lifecycle (see docs/lifecycle.md). */
    interface Lifecycle {
        /**
         * The lifecycle image whose analyzer, restorer and exporter run the credentialed phases of untrusted
         * builders, as pack's {@code buildpacksio/lifecycle}; {@code {version}} is replaced by the builder's
         * lifecycle version (label {@code io.buildpacks.builder.metadata}). When it cannot be pulled, a build
         * that would hand over registry credentials fails; one without credentials falls back to the
         * builder's own lifecycle (docs/security.md).
         */
        @WithDefault("docker.io/buildpacksio/lifecycle:{version}")
        String image();

        /**
         * Builder repositories (any tag or digest) that run as one {@code creator} with credentials even without
         * {@code trustBuilder}, and the only ones a {@code builder} token may set {@code trustBuilder} for. The
         * default is the list pack trusts; {@code none} trusts no builder.
         */
        @WithDefault("gcr.io/buildpacks/builder,heroku/builder,paketobuildpacks/builder-jammy-base,"
                + "paketobuildpacks/builder-jammy-full,paketobuildpacks/builder-jammy-tiny,"
                + "paketobuildpacks/builder-jammy-buildpackless-static,"
                + "paketobuildpacks/builder-jammy-buildpackless-base,"
                + "paketobuildpacks/builder-jammy-buildpackless-full,"
                + "paketobuildpacks/builder-jammy-buildpackless-tiny")
        List<String> trustedBuilders();

        /** How long a build waits for another build of the same repository to release its cache. */
        @WithDefault("PT10M")
        Duration cacheWait();

        /** {@code CNB_LOG_LEVEL} of every phase: debug, info, warn or error. */
        @WithDefault("info")
        String logLevel();

        /** Largest number of entries in a build's source. */
        @WithDefault("200000")
        long maxSourceEntries();

        /** Largest total of file bytes a build's source may expand to. */
        @WithDefault("4294967296")
        long maxSourceBytes();

        /** Largest ratio of expanded source bytes to archive bytes before it counts as a bomb. */
        @WithDefault("200")
        long maxSourceRatio();
    }

    /** Where buildpacks named outside the builder come from (docs/api.md, "Buildpacks from the buildpack registry"). */
    interface Buildpacks {
        /**
         * The CNB buildpack registry's HTTP API that resolves {@code urn:cnb:registry:<namespace>/<name>[@<version>]}
         * to a buildpackage image ({@code <base>/buildpacks/<namespace>/<name>[/<version>]}). The API rather than
         * pack's git index: the registry's one HTTP document per version is all a build needs.
         */
        @WithDefault("https://registry.buildpacks.io/api/v1")
        String registryUrl();
    }

    interface Builds {
        /** Builds that may wait for a worker; one more is refused with 429 and a Retry-After. */
        @WithDefault("16")
        int queueCapacity();

        /** Builds that run at the same time (worker threads). */
        @WithDefault("2")
        int maxConcurrent();

        /** Whole-build deadline when the request names no {@code timeout}; counted from when a worker takes the build. */
        @WithDefault("PT30M")
        Duration defaultTimeout();

        /** Longest {@code timeout} a request may ask for. */
        @WithDefault("PT4H")
        Duration maxTimeout();

        /**
         * How long a cancelled or timed-out build's executor gets to stop before the build is recorded as
         * ended anyway and its worker replaced.
         */
        @WithDefault("PT1M")
        Duration cancelGrace();

        /** The Retry-After sent with a 429 when the queue is full. */
        @WithDefault("PT15S")
        Duration retryAfter();

        /**
         * Whether a JSON request may name a server-side directory as {@code source.path}. Off by default:
         * it lets any client read any directory locald can read. On in dev mode.
         */
        @WithDefault("false")
        boolean allowSourcePath();

        /** Largest source archive accepted, in bytes (keep {@code quarkus.http.limits.max-body-size} a bit above it). */
        @WithDefault("536870912")
        long maxSourceBytes();

        /** Largest build request JSON (the body, or the {@code build} part), in bytes. */
        @WithDefault("1048576")
        int maxRequestBytes();

        /** Longest log line kept, in characters; longer lines are cut and marked. */
        @WithDefault("16384")
        int logMaxLineLength();

        /** Bytes of log text stored per build; beyond it one notice is written and further lines are dropped. */
        @WithDefault("67108864")
        long logMaxBytes();

        /** Recent log lines per running build kept in memory for live readers (older lines are read from the file). */
        @WithDefault("2048")
        int logMemoryLines();

        /** What every phase of a build may use; a request's {@code resources} may ask for less, never more. */
        BuildLimits limits();
    }

    /** The ceilings and defaults of a build's resources (see docs/security.md, Limits). */
    interface BuildLimits {
        /** Memory of each phase container, swap excluded (memory+swap is held to the same value). */
        @WithDefault("4G")
        ByteSize memory();

        /** Processes and threads in each phase container at once. */
        @WithDefault("4096")
        long pids();

        /** CPUs each phase container may use (a CFS quota, e.g. 1.5); unset: all cores. */
        OptionalDouble cpus();

        /**
         * Bytes a build may write under its /layers, /workspace, /tmp and cache (and its phases' root
         * filesystems), counted from when its first phase starts.
         */
        @WithDefault("20G")
        ByteSize disk();
    }
}
