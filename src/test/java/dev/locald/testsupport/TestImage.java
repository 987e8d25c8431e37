package dev.locald.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a test image is made of: layers (uncompressed tars and how to compress each) and the config
 * fields tests care about. Built with {@link #builder()}, published with {@link ImagePusher}.
 */
public record TestImage(
        List<Layer> layers,
        List<String> env,
        String user,
        String workingDir,
        List<String> entrypoint,
        List<String> cmd,
        Map<String, String> labels,
        String os,
        String architecture,
        boolean dockerFormat) {

    public enum Compression {
        GZIP,
        ZSTD,
        NONE
    }

    public record Layer(byte[] tar, Compression compression) {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<Layer> layers = new ArrayList<>();
        private final List<String> env = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String user = "";
        private String workingDir = "";
        private List<String> entrypoint = List.of();
        private List<String> cmd = List.of();
        private String os = "linux";
        private String architecture = "amd64";
        private boolean dockerFormat;

        public Builder layer(LayerTar tar) {
            return layer(tar.toBytes(), Compression.GZIP);
        }

        public Builder layer(LayerTar tar, Compression compression) {
            return layer(tar.toBytes(), compression);
        }

        public Builder layer(byte[] tar, Compression compression) {
            layers.add(new Layer(tar, compression));
            return this;
        }

        public Builder env(String nameEqualsValue) {
            env.add(nameEqualsValue);
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder workingDir(String dir) {
            this.workingDir = dir;
            return this;
        }

        public Builder entrypoint(String... args) {
            this.entrypoint = List.of(args);
            return this;
        }

        public Builder cmd(String... args) {
            this.cmd = List.of(args);
            return this;
        }

        public Builder platform(String os, String architecture) {
            this.os = os;
            this.architecture = architecture;
            return this;
        }

        /** Publish with Docker v2 schema 2 media types instead of OCI ones. */
        public Builder dockerFormat() {
            this.dockerFormat = true;
            return this;
        }

        public TestImage build() {
            return new TestImage(
                    List.copyOf(layers),
                    List.copyOf(env),
                    user,
                    workingDir,
                    entrypoint,
                    cmd,
                    Map.copyOf(labels),
                    os,
                    architecture,
                    dockerFormat);
        }
    }
}
