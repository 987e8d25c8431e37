package dev.locald.lifecycle;

import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes the request's service bindings into the platform directory: {@code bindings/<name>/<file>} (the
 * files {@code type}, {@code provider} and one per entry), which phases see at {@link #CONTAINER_PATH} and
 * buildpacks find through {@code SERVICE_BINDING_ROOT} (docs/api.md). Owned by the CNB user, directories
 * 0550 and files 0440: the buildpacks read them, nobody else on the host does.
 */
public final class BindingsDir {
    /** Where the bindings appear in a phase container: {@code /platform/bindings}. */
    public static final String CONTAINER_PATH = BuildDir.PLATFORM.containerPath("bindings");

    /** The variable naming {@link #CONTAINER_PATH} for buildpacks (the Service Binding spec's name). */
    public static final String ROOT_VARIABLE = "SERVICE_BINDING_ROOT";

    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private BindingsDir() {}

    /**
     * @param platformDir the build's platform directory (a real directory without a {@code bindings} entry)
     * @param bindings binding name to its files (file name to content); names are checked again here
     * @param owner the CNB user
     */
    public static void write(Path platformDir, Map<String, Map<String, String>> bindings, CnbUser owner)
            throws IOException {
        if (bindings.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Map<String, String>> b : bindings.entrySet()) {
            requireComponent(b.getKey());
            b.getValue().keySet().forEach(BindingsDir::requireComponent);
        }
        OwnedFiles.requireRealDirectory(platformDir, "platform dir");
        Path root = platformDir.resolve("bindings");
        Files.createDirectory(root);
        for (Map.Entry<String, Map<String, String>> b : new TreeMap<>(bindings).entrySet()) {
            Path dir = root.resolve(b.getKey());
            Files.createDirectory(dir);
            for (Map.Entry<String, String> file : new TreeMap<>(b.getValue()).entrySet()) {
                OwnedFiles.writeNew(
                        dir,
                        file.getKey(),
                        file.getValue().getBytes(StandardCharsets.UTF_8),
                        "r--r-----",
                        owner.uid(),
                        owner.gid());
            }
            OwnedFiles.chmod(dir, "r-xr-x---");
            OwnedFiles.chown(dir, owner.uid(), owner.gid());
        }
        OwnedFiles.chmod(root, "r-xr-x---");
        OwnedFiles.chown(root, owner.uid(), owner.gid());
    }

    private static void requireComponent(String name) {
        if (!COMPONENT.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a safe binding path component: " + BuildpackRef.quote(name));
        }
    }
}
