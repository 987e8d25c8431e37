package dev.locald.health;

import dev.locald.config.DataLayout;
import dev.locald.rootfs.RootfsAssembler;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports how build roots are assembled: overlay, or the copy fallback (slower, more disk) with the reason.
 * Both can build, so it is up either way; it is down only when the assembler cannot even be probed.
 */
@Readiness
@Singleton
public class RootfsModeCheck implements HealthCheck {

    static final String NAME = "rootfs";

    private final RootfsAssembler assembler;
    private final Path workRoot;

    @Inject
    public RootfsModeCheck(RootfsAssembler assembler, DataLayout layout) {
        this(assembler, layout.work());
    }

    public RootfsModeCheck(RootfsAssembler assembler, Path workRoot) {
        this.assembler = assembler;
        this.workRoot = workRoot;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("configured", assembler.mode().name().toLowerCase(java.util.Locale.ROOT));
        try {
            if (assembler.usesOverlay(workRoot)) {
                return response.up().withData("assembly", "overlay").build();
            }
            String problem = assembler.overlayProblem();
            return response.up()
                    .withData("assembly", "copy")
                    .withData(
                            "reason",
                            problem.isEmpty()
                                    ? "locald.rootfs.overlay=false: layers are copied for every build"
                                    : problem + "; layers are copied for every build (slower, uses more disk)")
                    .build();
        } catch (IOException | RuntimeException e) {
            return response.down()
                    .withData(
                            "reason",
                            "cannot prepare " + workRoot + " to probe overlay support (" + e.getMessage()
                                    + "): see the data-dir check")
                    .build();
        }
    }
}
