package dev.locald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.builds.Build;
import dev.locald.builds.BuildId;
import dev.locald.builds.BuildNotFinishedException;
import dev.locald.builds.BuildRequest;
import dev.locald.builds.BuildResources;
import dev.locald.builds.BuildService;
import dev.locald.builds.BuildState;
import dev.locald.builds.NoSuchBuildException;
import dev.locald.builds.QueueFullException;
import dev.locald.builds.SourceSubmission;
import dev.locald.config.LocaldConfig;
import dev.locald.image.NetworkMode;
import dev.locald.json.Json;
import dev.locald.lifecycle.TrustedBuilders;
import dev.locald.logs.LogRecord;
import dev.locald.source.ArchiveFormat;
import dev.locald.source.SourceArchiveSniffer;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The build API: submit, inspect, list, cancel, delete builds and read their logs. */
@Path("/builds")
@Tag(
        name = "builds",
        description = "Submit, inspect, list, cancel and delete builds, and read their logs (docs/api.md)")
public class BuildsResource {
    private static final String ID_EXAMPLE = "0b8e6c1e-5c2b-4e0e-9a51-0d0c4c6b3f7e";
    private static final String REQUEST_EXAMPLE = "{\"image\":\"localhost:5000/apps/my-app\","
            + "\"builder\":\"localhost:5000/builders/fixture:1\",\"env\":{\"BP_JVM_VERSION\":\"17\"},"
            + "\"timeout\":\"PT20M\",\"resources\":{\"memory\":\"2G\",\"cpus\":1.5},"
            + "\"defaultProcess\":\"web\",\"creationTime\":\"now\",\"execEnv\":\"production\"}";
    private static final String ACCEPTED_EXAMPLE = "{\"id\":\"" + ID_EXAMPLE + "\",\"state\":\"queued\","
            + "\"links\":{\"self\":\"/builds/" + ID_EXAMPLE + "\",\"logs\":\"/builds/" + ID_EXAMPLE + "/logs\","
            + "\"cancel\":\"/builds/" + ID_EXAMPLE + "/cancel\"}}";
    private static final String BUILD_EXAMPLE =
            "{\"id\":\"" + ID_EXAMPLE + "\",\"kind\":\"build\",\"state\":\"succeeded\","
                    + "\"createdAt\":\"2026-11-29T00:40:01.120Z\",\"startedAt\":\"2026-11-29T00:40:01.131Z\","
                    + "\"finishedAt\":\"2026-11-29T00:40:09.870Z\",\"phases\":[{\"name\":\"detect\","
                    + "\"startedAt\":\"2026-11-29T00:40:02.430Z\",\"durationMs\":655,\"exitCode\":0}],"
                    + "\"result\":{\"image\":\"localhost:5000/apps/my-app\",\"digest\":\"sha256:"
                    + "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\","
                    + "\"tags\":[\"localhost:5000/apps/my-app\"]}}";
    private static final String PROBLEM_EXAMPLE = "{\"type\":\"urn:locald:problem:invalid-request\","
            + "\"title\":\"The request is invalid\",\"status\":400,"
            + "\"errors\":[{\"field\":\"env.CNB_REGISTRY_AUTH\",\"message\":\"CNB_* names are reserved\"}]}";
    private static final String REPORT_EXAMPLE = "{\"image\":\"localhost:5000/apps/my-app\","
            + "\"digest\":\"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef\","
            + "\"tags\":[\"localhost:5000/apps/my-app:latest\"],\"manifestSize\":1081,"
            + "\"buildMetadata\":{\"buildpacks\":[{\"id\":\"paketo-buildpacks/procfile\",\"version\":\"5.13.6\"}],"
            + "\"processes\":[{\"type\":\"web\",\"command\":[\"bash\",\"-c\",\"./run\"],\"args\":null,"
            + "\"direct\":true,\"buildpackID\":\"paketo-buildpacks/procfile\"}],\"defaultProcess\":\"web\","
            + "\"launcher\":{\"version\":\"0.21.17\"},\"runImage\":{\"reference\":\"sha256:…\","
            + "\"image\":\"localhost:5000/run:1\"}}}";
    private static final String NOT_FOUND_EXAMPLE = "{\"type\":\"urn:locald:problem:not-found\","
            + "\"title\":\"Not found\",\"status\":404,\"detail\":\"there is no build with this id\"}";
    static final String NDJSON = "application/x-ndjson";
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final ObjectMapper JSON = Json.ISO_TIME;

    private final BuildService builds;
    private final LocaldConfig.Builds config;
    private final BuildRequestParser parser;
    private final TrustedBuilders trustedBuilders;
    private final boolean hostNetworkForBuilders;

    public BuildsResource(BuildService builds, LocaldConfig config, TrustedBuilders trustedBuilders) {
        this.builds = builds;
        this.trustedBuilders = trustedBuilders;
        this.config = config.builds();
        String defaultMode = config.network().defaultMode();
        this.parser = new BuildRequestParser(
                this.config.maxTimeout(),
                this.config.allowSourcePath(),
                config.dataRoot(),
                config.registry().allowLoopback(),
                BuildResources.configured(this.config.limits()),
                NetworkMode.ofWireName(defaultMode)
                        .orElseThrow(() -> new IllegalArgumentException("locald.network.default-mode is '" + defaultMode
                                + "'; expected isolated, host or none")));
        this.hostNetworkForBuilders = config.network().hostForBuilders();
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Submit a build with its source uploaded",
            description = "Two parts: 'build', the request as JSON, and 'source', a tar, tar.gz or zip of the app "
                    + "(recognised by content, not name).")
    @RequestBody(
            content =
                    @Content(
                            mediaType = MediaType.MULTIPART_FORM_DATA,
                            examples =
                                    @ExampleObject(
                                            name = "build part",
                                            summary = "the 'build' part",
                                            value = REQUEST_EXAMPLE)))
    @APIResponse(
            responseCode = "202",
            description = "Accepted and queued; Location names the new build",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples = @ExampleObject(name = "accepted", value = ACCEPTED_EXAMPLE)))
    @APIResponse(
            responseCode = "400",
            description = "An invalid field (all are listed), a missing part or a source that is not an archive",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            examples = @ExampleObject(name = "invalid", value = PROBLEM_EXAMPLE)))
    @APIResponse(responseCode = "413", description = "Source or request JSON above its limit")
    @APIResponse(responseCode = "429", description = "The queue is full; Retry-After says when to try again")
    public Response submitMultipart(
            @RestForm("build") List<String> buildParts,
            @RestForm("source") List<FileUpload> sourceParts,
            @Context RoutingContext rc)
            throws IOException, QueueFullException {
        // a second part of the same name would otherwise be dropped unseen: which one counts is ambiguous
        List<FieldError> repeated = new java.util.ArrayList<>();
        if (buildParts != null && buildParts.size() > 1) {
            repeated.add(new FieldError(
                    "build", "the multipart part 'build' appears " + buildParts.size() + " times; send it once"));
        }
        if (sourceParts != null && sourceParts.size() > 1) {
            repeated.add(new FieldError(
                    "source", "the multipart part 'source' appears " + sourceParts.size() + " times; send it once"));
        }
        if (!repeated.isEmpty()) {
            throw ProblemException.invalid(repeated);
        }
        String build = buildParts == null || buildParts.isEmpty() ? null : buildParts.get(0);
        FileUpload source = sourceParts == null || sourceParts.isEmpty() ? null : sourceParts.get(0);
        List<FieldError> missing = new java.util.ArrayList<>();
        if (build == null || build.isBlank()) {
            missing.add(new FieldError("build", "the multipart part 'build' (the request as JSON) is missing"));
        }
        if (source == null) {
            missing.add(new FieldError(
                    "source", "the multipart part 'source' (a tar, tar.gz or zip of the app) is missing"));
        }
        if (!missing.isEmpty()) {
            throw ProblemException.invalid(missing);
        }
        byte[] json = build.getBytes(StandardCharsets.UTF_8);
        requireJsonSize(json.length);
        BuildRequestParser.Parsed parsed = parser.parse(json, BuildRequestParser.Mode.MULTIPART);
        Optional<ApiToken> caller = AuthFilter.caller(rc);
        BuildRequest request = authorized(caller, parsed.request());
        long size = Files.size(source.uploadedFile());
        if (size > config.maxSourceBytes()) {
            throw ProblemException.tooLarge("the source archive has " + size + " bytes; at most "
                    + config.maxSourceBytes() + " are accepted (locald.builds.max-source-bytes)");
        }
        if (size == 0) {
            throw ProblemException.invalid("source", "the source archive is empty");
        }
        Optional<ArchiveFormat> format = SourceArchiveSniffer.sniff(source.uploadedFile());
        if (format.isEmpty()) {
            throw ProblemException.invalid(
                    "source", "is not a tar, tar.gz or zip archive (judged by its content, not its name)");
        }
        Optional<String> hostile = SourceArchiveSniffer.hostileEntry(source.uploadedFile(), format.get());
        if (hostile.isPresent()) {
            throw ProblemException.invalid("source", "was refused: " + hostile.get());
        }
        Build accepted = builds.submit(
                request,
                new SourceSubmission.Upload(source.uploadedFile(), format.get()),
                caller.map(ApiToken::name).orElse(null));
        return accepted(accepted);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Submit a build of a git repository or a server-side directory, or a rebase",
            description = "'source.git' names a repository (url, ref, optional path) that the build fetches, with "
                    + "optional 'gitAuth'; 'source.path' names an absolute directory, only where "
                    + "locald.builds.allow-source-path=true. With \"kind\":\"rebase\" and no source, the "
                    + "lifecycle's rebaser (from the lifecycle image) puts 'image' on new run-image layers: "
                    + "'runImage' (with 'force' when the app's metadata does not name it) or, without it, the run "
                    + "image the app's metadata names, resolved again; the build's result is the new digest.")
    @RequestBody(
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples = {
                                @ExampleObject(
                                        name = "git",
                                        value =
                                                "{\"image\":\"localhost:5000/apps/my-app\",\"builder\":\"localhost:5000/builders/fixture:1\","
                                                        + "\"source\":{\"git\":{\"url\":\"https://git.example/team/my-app.git\","
                                                        + "\"ref\":\"main\",\"path\":\"services/api\"}},\"gitAuth\":{\"token\":\"…\"}}"),
                                @ExampleObject(
                                        name = "directory",
                                        value =
                                                "{\"image\":\"localhost:5000/apps/my-app\",\"builder\":\"localhost:5000/builders/fixture:1\","
                                                        + "\"source\":{\"path\":\"/home/me/my-app\"}}"),
                                @ExampleObject(
                                        name = "rebase",
                                        value = "{\"kind\":\"rebase\",\"image\":\"localhost:5000/apps/my-app:1\","
                                                + "\"runImage\":\"localhost:5000/stacks/run:2\",\"force\":true}")
                            }))
    // the same answers as the multipart form, whose examples the document shows once
    @APIResponse(responseCode = "202", description = "Accepted and queued; Location names the new build")
    @APIResponse(
            responseCode = "400",
            description = "An invalid field (all are listed): a malformed source.git or gitAuth, source.path not "
                    + "allowed, an unknown kind, or a rebase with a source or a field only builds have")
    @APIResponse(responseCode = "413", description = "Request JSON above its limit")
    @APIResponse(responseCode = "429", description = "The queue is full; Retry-After says when to try again")
    public Response submitJson(byte[] body, @Context RoutingContext rc) throws IOException, QueueFullException {
        requireJsonSize(body.length);
        BuildRequestParser.Parsed parsed = parser.parse(body, BuildRequestParser.Mode.JSON);
        Optional<ApiToken> caller = AuthFilter.caller(rc);
        BuildRequest request = authorized(caller, parsed.request());
        Build accepted = builds.submit(
                request,
                parsed.source().orElseThrow(),
                caller.map(ApiToken::name).orElse(null));
        return accepted(accepted);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "List builds, newest first",
            description = "Filter with state (repeat or comma-separate); "
                    + "page with limit (1-100, default 20) and offset; 'next' links the following page.")
    @APIResponse(
            responseCode = "200",
            description = "One page of builds",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples =
                                    @ExampleObject(
                                            name = "page",
                                            value = "{\"items\":[" + BUILD_EXAMPLE
                                                    + "],\"total\":41,\"offset\":0,\"limit\":1,"
                                                    + "\"next\":\"/builds?offset=1&limit=1\"}")))
    @APIResponse(responseCode = "400", description = "An unknown state or a limit/offset out of range")
    public BuildListView list(
            @QueryParam("state") List<String> state,
            @QueryParam("limit") String limit,
            @QueryParam("offset") String offset,
            @Context RoutingContext rc) {
        Set<BuildState> states = EnumSet.noneOf(BuildState.class);
        List<FieldError> errors = new java.util.ArrayList<>();
        for (String value : state) {
            for (String s : value.split(",")) {
                parseState(s.trim())
                        .ifPresentOrElse(
                                states::add,
                                () -> errors.add(
                                        new FieldError(
                                                "state",
                                                "'" + BuildRequestParser.printable(s)
                                                        + "' is not one of queued, pulling, running, succeeded, failed, cancelled")));
            }
        }
        int lim = intParam("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT, errors);
        int off = intParam("offset", offset, 0, 0, Integer.MAX_VALUE, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        BuildService.BuildPage page = builds.list(states, ownerFilter(rc), off, lim);
        String next = null;
        if (off + page.items().size() < page.total()) {
            StringBuilder link = new StringBuilder("/builds?offset=")
                    .append(off + page.items().size())
                    .append("&limit=")
                    .append(lim);
            states.forEach(s -> link.append("&state=").append(s.name().toLowerCase(Locale.ROOT)));
            next = link.toString();
        }
        return new BuildListView(page.items().stream().map(BuildView::of).toList(), page.total(), off, lim, next);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A build's state, phases, result or error")
    @APIResponse(
            responseCode = "200",
            description = "The build",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples = @ExampleObject(name = "succeeded", value = BUILD_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "No build with this id")
    public BuildView get(@PathParam("id") String id, @Context RoutingContext rc) throws NoSuchBuildException {
        BuildId buildId = visible(id, rc);
        return BuildView.of(builds.find(buildId).orElseThrow(() -> new NoSuchBuildException(buildId)));
    }

    @GET
    @Path("/{id}/sbom")
    @Produces("application/x-tar")
    @Blocking
    @Operation(
            summary = "The SBOM files the buildpacks wrote, as a tar",
            description = "What the build's buildpacks wrote under /layers/sbom (launch/, build/, cache/ by"
                    + " buildpack), kept as long as the build record.")
    @APIResponse(responseCode = "200", description = "A tar of the SBOM files")
    @APIResponse(
            responseCode = "404",
            description = "No build with this id, or the build has no SBOM",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            examples = @ExampleObject(name = "not found", value = NOT_FOUND_EXAMPLE)))
    public Response sbom(
            @Parameter(description = "the build id", example = ID_EXAMPLE) @PathParam("id") String id,
            @Context RoutingContext rc)
            throws NoSuchBuildException {
        BuildId buildId = visible(id, rc);
        java.nio.file.Path dir = builds.sbom(buildId)
                .orElseThrow(() -> ProblemException.notFound("build " + buildId + " has no SBOM: "
                        + noArtifactReason(buildId, "its buildpacks wrote none")));
        jakarta.ws.rs.core.StreamingOutput body = out -> SbomTar.write(dir, out);
        return Response.ok(body, "application/x-tar")
                .header("Content-Disposition", "attachment; filename=\"" + buildId + "-sbom.tar\"")
                .build();
    }

    @GET
    @Path("/{id}/report")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(
            summary = "The exporter's report and the published image's build metadata",
            description = "image, digest, tags and manifestSize from the exporter's report.toml; buildMetadata"
                    + " (buildpacks, processes, defaultProcess, launcher, runImage) from the image's labels.")
    @APIResponse(
            responseCode = "200",
            description = "The report",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples = @ExampleObject(name = "report", value = REPORT_EXAMPLE)))
    @APIResponse(
            responseCode = "404",
            description = "No build with this id, or it published no image",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            examples = @ExampleObject(name = "not found", value = NOT_FOUND_EXAMPLE)))
    public Response report(
            @Parameter(description = "the build id", example = ID_EXAMPLE) @PathParam("id") String id,
            @Context RoutingContext rc)
            throws NoSuchBuildException, IOException {
        BuildId buildId = visible(id, rc);
        byte[] report = builds.report(buildId)
                .orElseThrow(() -> ProblemException.notFound(
                        "build " + buildId + " has no report: " + noArtifactReason(buildId, "it published no image")));
        return Response.ok(report, MediaType.APPLICATION_JSON).build();
    }

    /** Why a build has no SBOM or report: it has not finished, or {@code otherwise}. */
    private String noArtifactReason(BuildId id, String otherwise) {
        return builds.find(id)
                .filter(b -> !b.state().isTerminal())
                .map(b -> "it has not finished")
                .orElse(otherwise);
    }

    @POST
    @Path("/{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Cancel a build (idempotent)",
            description = "A queued build is cancelled at once; a running one is told to stop.")
    @APIResponse(responseCode = "202", description = "The build is stopping (cancelRequested is true)")
    @APIResponse(responseCode = "200", description = "The build has ended (cancelled, or it had already finished)")
    @APIResponse(
            responseCode = "404",
            description = "No build with this id",
            content =
                    @Content(
                            mediaType = "application/problem+json",
                            examples = @ExampleObject(name = "not found", value = NOT_FOUND_EXAMPLE)))
    public Response cancel(
            @Parameter(description = "the build id", example = ID_EXAMPLE) @PathParam("id") String id,
            @Context RoutingContext rc)
            throws NoSuchBuildException {
        Build build = builds.cancel(visible(id, rc));
        // 202 while the build is still stopping, 200 once it has ended
        return Response.status(build.state().isTerminal() ? 200 : 202)
                .entity(BuildView.of(build))
                .build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a finished build: its record, log and work directory")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No build with this id")
    @APIResponse(responseCode = "409", description = "The build has not finished; cancel it first")
    public Response delete(@PathParam("id") String id, @Context RoutingContext rc)
            throws NoSuchBuildException, BuildNotFinishedException, IOException {
        builds.delete(visible(id, rc));
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    @Blocking
    @Operation(
            summary = "A build's log as plain text",
            description = "Each line is '[<phase or locald>/<stream>] text'. "
                    + "follow=true streams until the build ends; after=<seq> skips what was already read.")
    @APIResponse(
            responseCode = "200",
            description = "The log",
            content =
                    @Content(
                            mediaType = MediaType.TEXT_PLAIN,
                            examples =
                                    @ExampleObject(
                                            name = "text",
                                            value = "[locald] pulling localhost:5000/builders/fixture:1\n"
                                                    + "[detect/stdout] fixture-buildpack 0.1.0 pass\n")))
    @APIResponse(responseCode = "404", description = "No build with this id")
    @APIResponse(responseCode = "400", description = "A bad follow, after or Last-Event-ID")
    public Multi<String> textLog(
            @PathParam("id") String id,
            @QueryParam("follow") String follow,
            @QueryParam("after") String after,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context RoutingContext rc)
            throws NoSuchBuildException {
        visible(id, rc);
        return batches(id, follow, after, lastEventId).map(batch -> {
            StringBuilder text = new StringBuilder();
            for (LogRecord r : batch) {
                text.append('[').append(r.label()).append("] ").append(r.text()).append('\n');
            }
            return text.toString();
        });
    }

    @GET
    @Path("/{id}/logs")
    @Produces(NDJSON)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "A build's log as NDJSON, one object per line")
    @APIResponse(
            responseCode = "200",
            description = "The log",
            content =
                    @Content(
                            mediaType = NDJSON,
                            examples =
                                    @ExampleObject(
                                            name = "ndjson",
                                            value =
                                                    "{\"seq\":1,\"time\":\"2026-11-29T00:40:02.440Z\","
                                                            + "\"phase\":\"detect\",\"stream\":\"stdout\",\"text\":\"fixture-buildpack 0.1.0 pass\"}")))
    @APIResponse(responseCode = "404", description = "No build with this id")
    @APIResponse(responseCode = "400", description = "A bad follow, after or Last-Event-ID")
    public Multi<LogLineView> ndjsonLog(
            @PathParam("id") String id,
            @QueryParam("follow") String follow,
            @QueryParam("after") String after,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context RoutingContext rc)
            throws NoSuchBuildException {
        visible(id, rc);
        return records(id, follow, after, lastEventId).map(LogLineView::of);
    }

    /** SSE always follows the build; the last event is {@code end}, with the build's final state as data. */
    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(
            summary = "A build's log as server-sent events, followed live",
            description =
                    "Events 'log' (id = sequence number, so Last-Event-ID resumes), then one 'end' with the final state.")
    @APIResponse(
            responseCode = "200",
            description = "The event stream",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            examples =
                                    @ExampleObject(
                                            name = "sse",
                                            value =
                                                    "id: 1\nevent: log\ndata: {\"seq\":1,\"phase\":\"detect\","
                                                            + "\"stream\":\"stdout\",\"text\":\"pass\"}\n\nevent: end\ndata: {\"state\":\"succeeded\"}\n")))
    @APIResponse(responseCode = "404", description = "No build with this id")
    @APIResponse(responseCode = "400", description = "A bad follow, after or Last-Event-ID")
    public Multi<OutboundSseEvent> sseLog(
            @PathParam("id") String id,
            @QueryParam("after") String after,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context Sse sse,
            @Context RoutingContext rc)
            throws NoSuchBuildException {
        BuildId buildId = visible(id, rc);
        Multi<OutboundSseEvent> lines = records(id, "true", after, lastEventId)
                .map(r -> sse.newEventBuilder()
                        .id(Long.toString(r.seq()))
                        .name("log")
                        .mediaType(MediaType.TEXT_PLAIN_TYPE)
                        .data(String.class, json(LogLineView.of(r)))
                        .build());
        return lines.onCompletion()
                .switchTo(() -> Multi.createFrom().item(() -> {
                    String state = builds.find(buildId)
                            .map(b -> b.state().name().toLowerCase(Locale.ROOT))
                            .orElse("deleted");
                    return sse.newEventBuilder()
                            .name("end")
                            .mediaType(MediaType.TEXT_PLAIN_TYPE)
                            .data(String.class, "{\"state\":\"" + state + "\"}")
                            .build();
                }));
    }

    private Multi<List<LogRecord>> batches(String id, String follow, String after, String lastEventId)
            throws NoSuchBuildException {
        ResumePoint from = resumePoint(follow, after, lastEventId);
        return builds.logBatches(buildId(id), from.afterSeq(), from.follow());
    }

    private Multi<LogRecord> records(String id, String follow, String after, String lastEventId)
            throws NoSuchBuildException {
        ResumePoint from = resumePoint(follow, after, lastEventId);
        return builds.logs(buildId(id), from.afterSeq(), from.follow());
    }

    private record ResumePoint(long afterSeq, boolean follow) {}

    private ResumePoint resumePoint(String follow, String after, String lastEventId) {
        List<FieldError> errors = new java.util.ArrayList<>();
        boolean untilFinished = boolParam("follow", follow, errors);
        long afterSeq = longParam("after", after, errors);
        if (lastEventId != null && !lastEventId.isBlank()) {
            afterSeq = longParam("Last-Event-ID", lastEventId.trim(), errors);
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return new ResumePoint(afterSeq, untilFinished);
    }

    private Response accepted(Build build) {
        String location = "/builds/" + build.id().value();
        return Response.status(Response.Status.ACCEPTED)
                .header("Location", location)
                .entity(AcceptedView.of(build))
                .build();
    }

    /** The build id, when the caller may see that build: a builder token sees only its own builds. */
    private BuildId visible(String id, RoutingContext rc) throws NoSuchBuildException {
        BuildId buildId = buildId(id);
        String owner = ownerFilter(rc);
        if (owner != null) {
            Build build = builds.find(buildId).orElseThrow(() -> new NoSuchBuildException(buildId));
            if (!owner.equals(build.spec().owner())) {
                // 404, not 403: another token's builds are not even known to exist
                throw new NoSuchBuildException(buildId);
            }
        }
        return buildId;
    }

    /** The owner whose builds the caller is limited to; null for an admin token or an open API. */
    private static String ownerFilter(RoutingContext rc) {
        return AuthFilter.caller(rc)
                .filter(t -> t.role() == ApiToken.Role.BUILDER)
                .map(ApiToken::name)
                .orElse(null);
    }

    /**
     * The request as the caller may make it, limited to a builder token's image prefixes (which also bound the
     * host's credentials the build gets); 403 when it publishes outside them or trusts an unlisted builder.
     */
    private BuildRequest authorized(Optional<ApiToken> caller, BuildRequest request) {
        requirePublishable(caller, request);
        requireTrustAllowed(caller, request);
        requireNetworkAllowed(caller, request);
        return caller.map(t -> request.scopedTo(t.role() == ApiToken.Role.ADMIN ? List.of() : t.imagePrefixes()))
                .orElse(request);
    }

    /**
     * Trusting a builder hands it the registry credentials: a builder token may do so only for a builder the
     * operator listed; admins and an open (loopback-only) API may trust any.
     */
    private void requireTrustAllowed(Optional<ApiToken> caller, BuildRequest request) {
        if (!request.trustBuilder()
                || caller.isEmpty()
                || caller.get().role() == ApiToken.Role.ADMIN
                || request.builder().filter(trustedBuilders::isListed).isPresent()) {
            return;
        }
        throw new ProblemException(Problem.of(
                ProblemType.FORBIDDEN,
                403,
                "the token '" + caller.get().name() + "' may set trustBuilder only for builders listed in "
                        + "locald.lifecycle.trusted-builders, and "
                        + request.builder().map(Object::toString).orElse("a builder named by project.toml")
                        + " is not; leave "
                        + "trustBuilder unset (its credentialed phases then run from the lifecycle image) or ask "
                        + "an admin"));
    }

    /**
     * The host network reaches every service on the host's loopback, so only admins (or an open API) ask
     * for it, unless locald.network.host-for-builders allows builder tokens too (docs/engine.md, Network).
     */
    private void requireNetworkAllowed(Optional<ApiToken> caller, BuildRequest request) {
        if (request.network() != NetworkMode.HOST
                || hostNetworkForBuilders
                || caller.isEmpty()
                || caller.get().role() == ApiToken.Role.ADMIN) {
            return;
        }
        throw new ProblemException(Problem.of(
                ProblemType.FORBIDDEN,
                403,
                "the token '" + caller.get().name() + "' may not run builds on the host network (network: \"host\");"
                        + " use \"isolated\", or an admin token"));
    }

    private static void requirePublishable(Optional<ApiToken> caller, BuildRequest request) {
        if (caller.isEmpty() || caller.get().role() == ApiToken.Role.ADMIN) {
            return;
        }
        ApiToken token = caller.get();
        List<String> refused = new java.util.ArrayList<>();
        if (!token.mayPublish(request.image().toString())) {
            refused.add(request.image().toString());
        }
        request.tags().stream()
                .map(Object::toString)
                .filter(t -> !token.mayPublish(t))
                .forEach(refused::add);
        if (!refused.isEmpty()) {
            throw new ProblemException(Problem.of(
                    ProblemType.FORBIDDEN,
                    403,
                    "the token '" + token.name() + "' may only publish images starting with "
                            + String.join(", ", token.imagePrefixes()) + "; refused: "
                            + String.join(", ", refused)));
        }
    }

    private void requireJsonSize(int size) {
        if (size > config.maxRequestBytes()) {
            throw ProblemException.tooLarge("the build request has " + size + " bytes; at most "
                    + config.maxRequestBytes() + " are accepted (locald.builds.max-request-bytes)");
        }
    }

    /** Ids are only ever ones locald generated: anything else (including traversal attempts) is simply not found. */
    private static BuildId buildId(String id) {
        return BuildId.parse(id).orElseThrow(() -> ProblemException.notFound("there is no build with this id"));
    }

    private static Optional<BuildState> parseState(String s) {
        for (BuildState state : BuildState.values()) {
            if (state.name().equalsIgnoreCase(s)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    private static int intParam(String name, String value, int dflt, int min, int max, List<FieldError> errors) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                errors.add(new FieldError(name, "must be between " + min + " and " + max));
                return dflt;
            }
            return n;
        } catch (NumberFormatException e) {
            errors.add(new FieldError(name, "must be a whole number"));
            return dflt;
        }
    }

    private static long longParam(String name, String value, List<FieldError> errors) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                errors.add(new FieldError(name, "must not be negative"));
                return 0;
            }
            return n;
        } catch (NumberFormatException e) {
            errors.add(new FieldError(name, "must be a log sequence number (a whole number)"));
            return 0;
        }
    }

    private static boolean boolParam(String name, String value, List<FieldError> errors) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        errors.add(new FieldError(name, "must be true or false"));
        return false;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serializable: " + value.getClass(), e);
        }
    }
}
