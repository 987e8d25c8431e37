package dev.locald.api;

import dev.locald.builds.BuildCancellation;
import dev.locald.builds.BuildExecutor;
import dev.locald.builds.BuildFailure;
import dev.locald.builds.BuildJob;
import dev.locald.builds.BuildProgress;
import dev.locald.builds.BuildResult;
import dev.locald.image.Digest;
import dev.locald.image.ImageReference;
import dev.locald.logs.LogStream;
import dev.locald.registry.RegistryCredential;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A service-level stand-in for the real executor (which runs lifecycle phases under runc): it plays a
 * script chosen by the request's {@code SCRIPT} env var, so that queueing, state, logs, deadlines and
 * cancellation of the service can be tested on their own.
 */
@Alternative
@ApplicationScoped
public class ScriptedBuildExecutor implements BuildExecutor {

    @Override
    public BuildResult execute(BuildJob job, BuildProgress progress, BuildCancellation cancellation) throws Exception {
        String script = job.request().env().getOrDefault("SCRIPT", "ok");
        progress.note("pulling " + job.request().builder().map(Object::toString).orElse("the builder of project.toml"));
        switch (script) {
            case "scope" -> {
                progress.note("image scope: " + job.request().imageScope());
                phase(progress, "build", 0, 1, 10);
            }
            case "ok" -> {
                phase(progress, "detect", 0, 2, 20);
                phase(progress, "build", 0, 2, 20);
                phase(progress, "export", 0, 2, 20);
            }
            case "slow" -> {
                phase(progress, "detect", 0, 3, 400);
                phase(progress, "build", 0, 3, 400);
            }
            case "many" -> {
                int n = Integer.parseInt(job.request().env().getOrDefault("LINES", "500"));
                phase(progress, "build", 0, n, 0);
            }
            case "timed" -> {
                // each line carries the nanoTime it was written at, so a reader in this JVM can measure latency
                progress.phaseStarted("build");
                for (int i = 0; i < 300; i++) {
                    progress.log("build", LogStream.STDOUT, Instant.now(), "t=" + System.nanoTime());
                    Thread.sleep(10);
                }
                progress.phaseFinished("build", 0, Duration.ofSeconds(3));
            }
            case "fail-detect" -> {
                phase(progress, "detect", 20, 1, 10);
                throw new BuildFailure("no buildpack detected for this app (detector exit 20)");
            }
            case "block" -> {
                progress.phaseStarted("build");
                progress.log("build", LogStream.STDOUT, Instant.now(), "waiting until cancelled");
                CountDownLatch cancelled = new CountDownLatch(1);
                cancellation.onCancel(cancelled::countDown);
                if (!cancelled.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test executor was never cancelled");
                }
                progress.log("build", LogStream.STDERR, Instant.now(), "stopped by cancellation");
                progress.phaseFinished("build", 137, Duration.ofMillis(1));
                throw new InterruptedException("cancelled");
            }
            case "ignore-cancel" -> {
                progress.phaseStarted("build");
                Thread.sleep(8000);
                progress.log("build", LogStream.STDOUT, Instant.now(), "too late");
            }
            case "leak" -> {
                progress.phaseStarted("export");
                RegistryCredential.Basic auth =
                        (RegistryCredential.Basic) job.request().registryAuth().orElseThrow();
                String blob = Base64.getEncoder()
                        .encodeToString((auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8));
                progress.log("export", LogStream.STDOUT, Instant.now(), "password is " + auth.password());
                progress.log("export", LogStream.STDERR, Instant.now(), "Authorization: Basic " + blob);
                progress.log(
                        "export",
                        LogStream.STDOUT,
                        Instant.now(),
                        "token " + job.request().env().get("NPM_TOKEN"));
                progress.phaseFinished("export", 0, Duration.ofMillis(5));
                throw new BuildFailure("push refused with password " + auth.password());
            }
            case "crash" -> throw new IllegalStateException("executor bug");
            default -> throw new IllegalArgumentException("unknown script " + script);
        }
        return new BuildResult(
                job.request().image().toString(),
                Digest.ofBytes(job.id().value().getBytes(StandardCharsets.UTF_8)),
                concat(
                        job.request().image().toString(),
                        job.request().tags().stream()
                                .map(ImageReference::toString)
                                .toList()));
    }

    private static void phase(BuildProgress progress, String name, int exit, int lines, long sleepMillis)
            throws InterruptedException {
        Instant start = Instant.now();
        progress.phaseStarted(name);
        for (int i = 1; i <= lines; i++) {
            progress.log(name, i % 2 == 0 ? LogStream.STDERR : LogStream.STDOUT, Instant.now(), name + " line " + i);
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
        }
        progress.phaseFinished(name, exit, Duration.between(start, Instant.now()));
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new java.util.ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
