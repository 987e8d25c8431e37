package dev.locald.health;

import dev.locald.config.LocaldConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Which build networks work here: {@code host} and {@code none} always; {@code isolated} needs pasta
 * (Debian package passt). Down when the default network cannot work, with the reason.
 */
@Readiness
@Singleton
public class NetworkCheck implements HealthCheck {

    static final String NAME = "network";

    private final String defaultMode;
    private final String pastaBinary;

    @Inject
    public NetworkCheck(LocaldConfig config) {
        this(config.network().defaultMode(), config.network().pastaBinary());
    }

    public NetworkCheck(String defaultMode, String pastaBinary) {
        this.defaultMode = defaultMode;
        this.pastaBinary = pastaBinary;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Path> pasta = resolve(pastaBinary);
        List<String> available = new ArrayList<>(List.of("host", "none"));
        pasta.ifPresent(p -> available.add(0, "isolated"));
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("default", defaultMode)
                .withData("available", String.join(",", available));
        pasta.ifPresent(p -> response.withData("pasta", p.toString()));
        if (pasta.isEmpty()) {
            response.withData(
                    "isolated",
                    "unavailable: pasta not found (" + pastaBinary
                            + "); install the passt package (apt-get install passt) or set locald.network.pasta-binary");
        }
        boolean up = available.contains(defaultMode);
        return up ? response.up().build() : response.down().build();
    }

    /** An absolute path as given, or a name looked up on PATH. */
    static Optional<Path> resolve(String binary) {
        if (binary.contains("/")) {
            Path path = Path.of(binary);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathVariable = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
