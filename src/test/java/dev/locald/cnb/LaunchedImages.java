package dev.locald.cnb;

import dev.locald.image.CnbUser;
import dev.locald.image.ImageConfig;
import dev.locald.image.ImageReference;
import dev.locald.image.NetworkMode;
import dev.locald.pull.ImageCatalog;
import dev.locald.rootfs.AssembledRootfs;
import dev.locald.rootfs.RootfsAssembler;
import dev.locald.runtime.Cancellation;
import dev.locald.runtime.ContainerRequest;
import dev.locald.runtime.ContainerResult;
import dev.locald.runtime.ContainerRunner;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs a published app image the way a user would, but with locald's own parts: the image is pulled into
 * locald's store, its root assembled by locald, and its default process (Entrypoint + Cmd: the CNB
 * launcher) run under runc as the image's User, with locald's synthetic /etc.
 */
@ApplicationScoped
public class LaunchedImages {

    /** Exit code and the interleaved output of one run. */
    public record Run(int exitCode, String output) {}

    private final ImageCatalog catalog;
    private final RootfsAssembler assembler;
    private final ContainerRunner containers;

    LaunchedImages(ImageCatalog catalog, RootfsAssembler assembler, ContainerRunner containers) {
        this.catalog = catalog;
        this.assembler = assembler;
        this.containers = containers;
    }

    public Run runDefaultProcess(String reference) throws IOException, InterruptedException {
        try (ImageCatalog.LeasedImage image = catalog.pullLeased(ImageReference.parse(reference), Optional.empty())) {
            ImageConfig config = image.pulled().image().config();
            List<String> args = new ArrayList<>(config.entrypoint());
            args.addAll(config.cmd());
            String[] ids = config.user().split(":");
            int uid = Integer.parseInt(ids[0]);
            int gid = ids.length > 1 ? Integer.parseInt(ids[1]) : uid;
            Path scratch = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "launched-");
            StringBuilder output = new StringBuilder();
            try (AssembledRootfs rootfs = assembler.assemble(image.pulled().layerDirs(), scratch)) {
                ContainerRequest request = ContainerRequest.builder(
                                "locald-launch-" + UUID.randomUUID(), rootfs.root(), new CnbUser(uid, gid))
                        .args(args)
                        .env(config.env())
                        .cwd(config.workingDir().isBlank() ? "/" : config.workingDir())
                        .network(NetworkMode.NONE)
                        .timeout(Duration.ofSeconds(60))
                        .build();
                ContainerResult result = containers.run(
                        request,
                        (stream, time, text) -> {
                            synchronized (output) {
                                output.append(text).append('\n');
                            }
                        },
                        Cancellation.none());
                return new Run(result.exitCode(), output.toString());
            } finally {
                dev.locald.fs.TreeDeleter.deleteTree(scratch);
            }
        }
    }
}
