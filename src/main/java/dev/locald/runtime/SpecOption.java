package dev.locald.runtime;

import java.util.List;

/** One small change to a runtime spec under construction (containerd's {@code SpecOpts}, in Java). */
@FunctionalInterface
interface SpecOption {

    void applyTo(RuntimeSpecBuilder spec);

    /** The options applied in order. */
    static SpecOption compose(List<SpecOption> options) {
        List<SpecOption> copy = List.copyOf(options);
        return spec -> copy.forEach(option -> option.applyTo(spec));
    }
}
