package dev.locald.lifecycle;

import dev.locald.image.CnbUser;
import dev.locald.image.EnvList;
import dev.locald.image.NetworkMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything needed to start one phase container, independent of the container engine.
 *
 * @param phase         which phase
 * @param image         whose rootfs it runs on
 * @param binary        {@code /cnb/lifecycle/<phase>}
 * @param args          arguments after the binary: flags first, then positional image names
 * @param env           the platform's settings; they override same-named entries of the image's Env.
 *                      Never contains {@code CNB_REGISTRY_AUTH}; use {@link #processEnv}
 * @param registryAuth  whether {@link #processEnv} adds {@code CNB_REGISTRY_AUTH}
 * @param mounts        build directories to bind
 * @param network       the network the container gets
 * @param user          uid:gid the process runs as (never root)
 */
public record PhaseSpec(
        Phase phase,
        PhaseImage image,
        String binary,
        List<String> args,
        SortedMap<String, String> env,
        boolean registryAuth,
        List<PhaseMount> mounts,
        NetworkMode network,
        CnbUser user) {

    public PhaseSpec {
        args = List.copyOf(args);
        env = Collections.unmodifiableSortedMap(new TreeMap<>(env));
        mounts = List.copyOf(mounts);
        if (env.containsKey(RegistryAuthEnv.NAME)) {
            throw new IllegalArgumentException("credentials must not be part of a phase's plain env");
        }
        if (registryAuth && !phase.receivesRegistryAuth()) {
            throw new IllegalArgumentException("the " + phase.id() + " must never receive registry credentials");
        }
    }

    /** {@code binary} followed by {@code args}: the container's process args. */
    public List<String> argv() {
        List<String> out = new ArrayList<>(args.size() + 1);
        out.add(binary);
        out.addAll(args);
        return out;
    }

    public Optional<PhaseMount> mount(BuildDir dir) {
        return mounts.stream().filter(m -> m.source() == dir).findFirst();
    }

    /**
     * The container's environment: the image config's Env, then this spec's {@link #env} on top, then
     * {@code CNB_REGISTRY_AUTH} only if this phase may have it and there are credentials. Any
     * {@code CNB_REGISTRY_AUTH} coming from the image is dropped, so a hostile image cannot feed the
     * lifecycle credentials of its choosing, and nothing credential-like reaches detector or builder.
     */
    public List<String> processEnv(List<String> imageEnv, RegistryAuthEnv auth) {
        Map<String, String> merged = new LinkedHashMap<>(EnvList.toMap(imageEnv));
        merged.remove(RegistryAuthEnv.NAME);
        merged.putAll(env);
        if (registryAuth && auth != null && !auth.isEmpty()) {
            merged.put(RegistryAuthEnv.NAME, auth.json());
        }
        List<String> out = new ArrayList<>(merged.size());
        merged.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }
}
