package dev.locald.lifecycle;

import dev.locald.fs.OwnedFiles;
import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the build's platform directory, mounted read-only at {@code /platform}: one file
 * {@code env/<NAME>} per requested variable holding exactly the value's UTF-8 bytes (no newline added),
 * which the lifecycle hands to detect and build (contract §4.4). Credentials never go here: every
 * {@code CNB_*} name is refused.
 */
public final class PlatformDir {
    private PlatformDir() {}

    /**
     * @param platformDir the build's platform dir; created if absent (its parent must exist), otherwise it
     *                    must be a real directory without an {@code env} entry yet
     * @param env         the request's variables, all names and values checked before anything is written
     * @param owner       the CNB user, who owns the directory and files (0755 / 0644)
     * @return the {@code env} directory
     */
    public static Path write(Path platformDir, Map<String, String> env, CnbUser owner) throws IOException {
        Map<String, String> sorted = new TreeMap<>(env == null ? Map.of() : env);
        sorted.forEach((name, value) -> {
            PlatformEnvNames.check(name);
            PlatformEnvNames.checkValue(name, value);
        });
        if (!Files.exists(platformDir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(platformDir);
            OwnedFiles.chmod(platformDir, "rwxr-xr-x");
            OwnedFiles.chown(platformDir, owner.uid(), owner.gid());
        }
        OwnedFiles.requireRealDirectory(platformDir, "platform dir");
        Path envDir = platformDir.resolve("env");
        try {
            Files.createDirectory(envDir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(
                    "platform dir " + platformDir + " already has an env entry; it must be fresh per build", e);
        }
        OwnedFiles.chmod(envDir, "rwxr-xr-x");
        OwnedFiles.chown(envDir, owner.uid(), owner.gid());
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            OwnedFiles.writeNew(
                    envDir,
                    e.getKey(),
                    e.getValue().getBytes(StandardCharsets.UTF_8),
                    "rw-r--r--",
                    owner.uid(),
                    owner.gid());
        }
        return envDir;
    }
}
