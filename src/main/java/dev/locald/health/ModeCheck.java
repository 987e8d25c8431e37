package dev.locald.health;

import dev.locald.config.LocaldConfig;
import dev.locald.runtime.RunMode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Root or rootless mode (docs/operations.md, "Rootless mode"), which build limits that mode enforces, and,
 * rootless, what is missing: a namespace that maps too few ids (or none: started without scripts/locald),
 * or a /dev/net/tun pasta cannot open when isolated is the default network.
 */
@Readiness
@Singleton
public class ModeCheck implements HealthCheck {

    static final String NAME = "mode";

    private final RunMode mode;
    private final String defaultNetwork;
    private final Path tun;

    @Inject
    public ModeCheck(RunMode mode, LocaldConfig config) {
        this(mode, config.network().defaultMode(), Path.of("/dev/net/tun"));
    }

    public ModeCheck(RunMode mode, String defaultNetwork, Path tun) {
        this.mode = mode;
        this.defaultNetwork = defaultNetwork;
        this.tun = tun;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).withData("mode", mode.name());
        List<String> missing = new ArrayList<>();
        mode.problem().ifPresent(missing::add);
        if (mode.rootless()) {
            response.withData("mappedIds", mode.mappedIds())
                    .withData("limits", "pids (RLIMIT_NPROC of the CNB user), disk (the disk watch)")
                    .withData(
                            "limitsNotEnforced",
                            "memory, cpus: rootless containers get no cgroups (none is delegated to locald)");
            // access() sees what pasta will see: an unmapped root-owned 0600 node is closed to the namespace's root
            if (!Files.isReadable(tun) || !Files.isWritable(tun)) {
                String problem = tun + " cannot be opened by this user, so pasta cannot give isolated builds a"
                        + " network; as root: chmod 0666 " + tun;
                response.withData("isolated", problem);
                if (defaultNetwork.equals("isolated")) {
                    missing.add(problem);
                }
            }
        } else {
            response.withData("limits", "memory, pids, cpus (cgroups), disk (the disk watch)");
        }
        if (!missing.isEmpty()) {
            return response.withData("missing", String.join("; ", missing))
                    .down()
                    .build();
        }
        return response.up().build();
    }
}
