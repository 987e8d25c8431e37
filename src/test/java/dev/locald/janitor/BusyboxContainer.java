package dev.locald.janitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Starts a detached {@code sleep 300} busybox container under a given runc root, its bundle in {@code bundleParent}. */
final class BusyboxContainer {

    private BusyboxContainer() {}

    static void start(Path runcRoot, Path bundleParent, String id) throws IOException, InterruptedException {
        Path bundle = Files.createDirectories(bundleParent.resolve(id).toAbsolutePath());
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/usr/bin/busybox"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sleep"), Path.of("busybox"));
        exec(bundle, "runc", "spec", "--bundle", bundle.toString());
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec =
                (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) spec.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        args.add("/bin/sleep").add("300");
        json.writeValue(bundle.resolve("config.json").toFile(), spec);
        Files.createDirectories(runcRoot);
        exec(
                bundle,
                "runc",
                "--root",
                runcRoot.toAbsolutePath().toString(),
                "run",
                "--detach",
                "--bundle",
                bundle.toString(),
                id);
    }

    /** Output goes to a file: a detached container keeps its stdio, so a pipe would stay open for its whole life. */
    private static void exec(Path bundle, String... command) throws IOException, InterruptedException {
        Path log = bundle.resolve("out.log");
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true)
                .start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }
}
