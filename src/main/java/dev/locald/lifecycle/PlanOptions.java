package dev.locald.lifecycle;

import dev.locald.image.CnbUser;
import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The request-derived inputs of a {@link PhasePlan}.
 *
 * @param image               the target image reference (positional arg of analyzer, exporter, creator)
 * @param tags                further full image references to publish; same registry as {@code image}
 * @param runImage            the run image chosen by {@link RunImageSelection}, passed as {@code CNB_RUN_IMAGE}
 *                            to analyzer and creator; empty lets the lifecycle pick from run.toml
 * @param clearCache          the cache dir was emptied; also skip reusing layers from the previous image
 * @param network             the request's network for buildpack code (detector, builder)
 * @param customOrder         the platform wrote {@link BuildDir#ORDER_TOML}
 * @param cacheDir            a cache dir is mounted at {@code /cache}
 * @param insecureRegistries  registries reached over plain HTTP ({@code CNB_INSECURE_REGISTRIES}, every API)
 * @param lifecycleImage      the trusted lifecycle image is at hand for untrusted builders' credentialed phases
 * @param user                the builder's CNB user
 * @param logLevel            {@code CNB_LOG_LEVEL}
 * @param bindings            the platform wrote service bindings ({@link BindingsDir}): every phase gets
 *                            {@code SERVICE_BINDING_ROOT}
 * @param extras              the request's pack-style options (default process, creation time, previous
 *                            image, execution environment, system buildpacks)
 */
public record PlanOptions(
        ImageReference image,
        List<ImageReference> tags,
        Optional<ImageReference> runImage,
        boolean clearCache,
        NetworkMode network,
        boolean customOrder,
        boolean cacheDir,
        List<String> insecureRegistries,
        boolean lifecycleImage,
        CnbUser user,
        LogLevel logLevel,
        boolean bindings,
        Extras extras) {

    public PlanOptions {
        if (image == null) {
            throw new IllegalArgumentException("a build needs a target image");
        }
        tags = List.copyOf(tags);
        runImage = runImage == null ? Optional.empty() : runImage;
        insecureRegistries = List.copyOf(insecureRegistries);
        extras = extras == null ? Extras.NONE : extras;
        if (network == null || user == null || logLevel == null) {
            throw new IllegalArgumentException("network, user and log level are required");
        }
        // references are ImageReferences, so none can hold a space or look like a flag
        for (String r : insecureRegistries) {
            if (r.contains(",")) {
                throw new IllegalArgumentException(
                        "an insecure registry must not contain ',': " + BuildpackRef.quote(r));
            }
            ImageReference.requireRegistry(r);
        }
    }

    /**
     * Every image the credentialed phases read or write, so every registry {@code CNB_REGISTRY_AUTH} needs:
     * the target (written by the exporter, read by the analyzer as the previous image), its tags, and the
     * run image (read by analyzer, restorer and exporter).
     */
    public List<ImageReference> registryImages() {
        List<ImageReference> all = new ArrayList<>();
        all.add(image);
        all.addAll(tags);
        runImage.ifPresent(all::add);
        extras.previousImage().ifPresent(all::add);
        return all;
    }

    /**
     * Options pack users know (docs/api.md): each becomes one env var of the phases that read it (PhasePlan).
     *
     * @param defaultProcess          {@code CNB_PROCESS_TYPE} of exporter and creator
     * @param sourceDateEpoch         the image's creation time in epoch seconds ({@code SOURCE_DATE_EPOCH});
     *                                empty keeps the lifecycle's reproducible 1980-01-01T00:00:01Z
     * @param previousImage           {@code CNB_PREVIOUS_IMAGE} of analyzer and creator; empty = the target
     * @param execEnv                 {@code CNB_EXEC_ENV} (platform 0.15); empty = the lifecycle's production
     * @param disableSystemBuildpacks point {@code CNB_SYSTEM_PATH} at the platform's empty system.toml (0.15)
     */
    public record Extras(
            Optional<String> defaultProcess,
            Optional<Long> sourceDateEpoch,
            Optional<ImageReference> previousImage,
            Optional<String> execEnv,
            boolean disableSystemBuildpacks) {

        public static final Extras NONE =
                new Extras(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);

        /** What the lifecycle calls its default execution environment. */
        public static final String PRODUCTION = "production";

        private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,255}");

        public Extras {
            defaultProcess = defaultProcess == null ? Optional.empty() : defaultProcess;
            sourceDateEpoch = sourceDateEpoch == null ? Optional.empty() : sourceDateEpoch;
            previousImage = previousImage == null ? Optional.empty() : previousImage;
            execEnv = execEnv == null ? Optional.empty() : execEnv;
            // values travel as env, never as flags or paths; the API checks the same, this is the second line
            defaultProcess.ifPresent(p -> requireToken("default process", p));
            execEnv.ifPresent(e -> requireToken("exec env", e));
            sourceDateEpoch.ifPresent(t -> {
                if (t < 0) {
                    throw new IllegalArgumentException("a creation time before 1970 cannot be SOURCE_DATE_EPOCH: " + t);
                }
            });
        }

        private static void requireToken(String what, String value) {
            if (!TOKEN.matcher(value).matches() || value.equals(".") || value.equals("..")) {
                throw new IllegalArgumentException(
                        what + " " + BuildpackRef.quote(value) + " must match [A-Za-z0-9._-]+ (at most 255)");
            }
        }
    }

    /** Starts options for {@code image} built as {@code user}; defaults: no tags, no run image override,
     * host network, builder's order, a cache dir, a lifecycle image, log level info. */
    public static Builder builder(ImageReference image, CnbUser user) {
        return new Builder(image, user);
    }

    /** Fluent construction with the defaults of {@link #builder(ImageReference, CnbUser)}. */
    public static final class Builder {
        private ImageReference image;
        private final CnbUser user;
        private List<ImageReference> tags = List.of();
        private Optional<ImageReference> runImage = Optional.empty();
        private boolean clearCache;
        private NetworkMode network = NetworkMode.HOST;
        private boolean customOrder;
        private boolean cacheDir = true;
        private List<String> insecureRegistries = List.of();
        private boolean lifecycleImage = true;
        private LogLevel logLevel = LogLevel.INFO;
        private boolean bindings;
        private Extras extras = Extras.NONE;

        private Builder(ImageReference image, CnbUser user) {
            this.image = image;
            this.user = user;
        }

        public Builder image(ImageReference image) {
            this.image = image;
            return this;
        }

        public Builder tags(List<ImageReference> tags) {
            this.tags = tags;
            return this;
        }

        public Builder runImage(ImageReference runImage) {
            this.runImage = Optional.ofNullable(runImage);
            return this;
        }

        public Builder clearCache(boolean clearCache) {
            this.clearCache = clearCache;
            return this;
        }

        public Builder network(NetworkMode network) {
            this.network = network;
            return this;
        }

        public Builder customOrder(boolean customOrder) {
            this.customOrder = customOrder;
            return this;
        }

        public Builder cache(boolean cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        public Builder insecure(List<String> insecureRegistries) {
            this.insecureRegistries = insecureRegistries;
            return this;
        }

        public Builder lifecycleImage(boolean lifecycleImage) {
            this.lifecycleImage = lifecycleImage;
            return this;
        }

        public Builder logLevel(LogLevel logLevel) {
            this.logLevel = logLevel;
            return this;
        }

        public Builder bindings(boolean bindings) {
            this.bindings = bindings;
            return this;
        }

        public Builder extras(Extras extras) {
            this.extras = extras;
            return this;
        }

        public PlanOptions build() {
            return new PlanOptions(
                    image,
                    tags,
                    runImage,
                    clearCache,
                    network,
                    customOrder,
                    cacheDir,
                    insecureRegistries,
                    lifecycleImage,
                    user,
                    logLevel,
                    bindings,
                    extras);
        }
    }
}
