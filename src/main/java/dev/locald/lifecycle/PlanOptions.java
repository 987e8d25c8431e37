package dev.locald.lifecycle;

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
 * @param customOrder         the platform wrote {@link ContainerPaths#ORDER_TOML}
 * @param cacheDir            a cache dir is mounted at {@code /cache}
 * @param insecureRegistries  registries reached over plain HTTP ({@code CNB_INSECURE_REGISTRIES}, every API)
 * @param lifecycleImage      a trusted lifecycle image is configured for untrusted builders' credentialed phases
 * @param user                the builder's CNB user
 * @param logLevel            {@code CNB_LOG_LEVEL}
 */
public record PlanOptions(
        String image,
        List<String> tags,
        Optional<String> runImage,
        boolean clearCache,
        NetworkMode network,
        boolean customOrder,
        boolean cacheDir,
        List<String> insecureRegistries,
        boolean lifecycleImage,
        CnbUser user,
        LogLevel logLevel) {

    public PlanOptions {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("a build needs a target image");
        }
        tags = List.copyOf(tags);
        runImage = runImage == null ? Optional.empty() : runImage;
        insecureRegistries = List.copyOf(insecureRegistries);
        if (network == null || user == null || logLevel == null) {
            throw new IllegalArgumentException("network, user and log level are required");
        }
        for (String value : concat(image, tags, runImage)) {
            if (value.isBlank() || value.chars().anyMatch(c -> c <= 0x20 || c == 0x7f) || value.startsWith("-")) {
                throw new IllegalArgumentException("not a usable image reference: " + BuildpackRef.quote(value));
            }
        }
        for (String r : insecureRegistries) {
            RegistryAuthEnv.normaliseHost(r);
            if (r.contains(",")) {
                throw new IllegalArgumentException("an insecure registry must not contain ',': " + BuildpackRef.quote(r));
            }
        }
    }

    private static List<String> concat(String image, List<String> tags, Optional<String> runImage) {
        List<String> all = new java.util.ArrayList<>();
        all.add(image);
        all.addAll(tags);
        runImage.ifPresent(all::add);
        return all;
    }

    /** Starts options for {@code image} built as {@code user}; defaults: no tags, no run image override,
     * host network, builder's order, a cache dir, a lifecycle image, log level info. */
    public static Builder builder(String image, CnbUser user) {
        return new Builder(image, user);
    }

    /** Fluent construction with the defaults of {@link #builder(String, CnbUser)}. */
    public static final class Builder {
        private String image;
        private final CnbUser user;
        private List<String> tags = List.of();
        private Optional<String> runImage = Optional.empty();
        private boolean clearCache;
        private NetworkMode network = NetworkMode.HOST;
        private boolean customOrder;
        private boolean cacheDir = true;
        private List<String> insecureRegistries = List.of();
        private boolean lifecycleImage = true;
        private LogLevel logLevel = LogLevel.INFO;

        private Builder(String image, CnbUser user) {
            this.image = image;
            this.user = user;
        }

        public Builder image(String image) {
            this.image = image;
            return this;
        }

        public Builder tags(List<String> tags) {
            this.tags = tags;
            return this;
        }

        public Builder runImage(String runImage) {
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

        public PlanOptions build() {
            return new PlanOptions(image, tags, runImage, clearCache, network, customOrder, cacheDir,
                    insecureRegistries, lifecycleImage, user, logLevel);
        }
    }
}
