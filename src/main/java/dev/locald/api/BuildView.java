package dev.locald.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.locald.builds.Build;
import dev.locald.builds.BuildResources;
import dev.locald.builds.BuildSpec;
import dev.locald.builds.PhaseRecord;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A build as the API shows it ({@code GET /builds/{id}} and list items). {@code kind} is {@code build} or
 * {@code rebase}; {@code owner} is the name of the API token that submitted it, absent for a build submitted to an
 * open API.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildView(
        String id,
        String kind,
        String state,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String currentPhase,
        List<PhaseView> phases,
        ResultView result,
        String error,
        Boolean cancelRequested,
        String owner,
        RequestView request,
        Links links) {

    public static BuildView of(Build b) {
        return new BuildView(
                b.id().value(),
                b.spec().kind().wireName(),
                state(b),
                b.createdAt(),
                b.startedAt(),
                b.finishedAt(),
                b.currentPhase(),
                b.phases().stream().map(PhaseView::of).toList(),
                b.result() == null
                        ? null
                        : new ResultView(
                                b.result().image(),
                                b.result().digest().toString(),
                                b.result().tags()),
                b.error(),
                b.cancelRequested() ? Boolean.TRUE : null,
                b.spec().owner(),
                RequestView.of(b.spec()),
                Links.of(b));
    }

    static String state(Build b) {
        return b.state().name().toLowerCase(Locale.ROOT);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PhaseView(String name, Instant startedAt, Long durationMs, Integer exitCode) {
        static PhaseView of(PhaseRecord p) {
            return new PhaseView(
                    p.name(),
                    p.startedAt(),
                    p.duration() == null ? null : p.duration().toMillis(),
                    p.exitCode());
        }
    }

    public record ResultView(String image, String digest, List<String> tags) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RequestView(
            String image,
            String builder,
            String runImage,
            List<String> env,
            List<String> buildpacks,
            List<String> tags,
            boolean trustBuilder,
            boolean clearCache,
            String network,
            String timeout,
            boolean registryAuth,
            BuildResources resources,
            String defaultProcess,
            String creationTime,
            String previousImage,
            String execEnv,
            Boolean disableSystemBuildpacks,
            Boolean force,
            String pullPolicy) {
        static RequestView of(BuildSpec s) {
            return new RequestView(
                    s.image(),
                    s.builder(),
                    s.runImage(),
                    s.envNames(),
                    s.buildpacks(),
                    s.tags(),
                    s.trustBuilder(),
                    s.clearCache(),
                    s.network().wireName(),
                    s.timeout() == null ? null : s.timeout().toString(),
                    s.registryAuth(),
                    s.resources().isDefault() ? null : s.resources(),
                    s.options().defaultProcess(),
                    s.options().creationTime(),
                    s.options().previousImage(),
                    s.options().execEnv(),
                    s.options().disableSystemBuildpacks() ? Boolean.TRUE : null,
                    s.options().force() ? Boolean.TRUE : null,
                    s.pullPolicy().wireName());
        }
    }

    public record Links(String self, String logs, String cancel) {
        static Links of(Build b) {
            String self = "/builds/" + b.id().value();
            return new Links(self, self + "/logs", self + "/cancel");
        }
    }
}
