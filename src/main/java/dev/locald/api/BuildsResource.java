package dev.locald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.locald.build.ArchiveFormat;
import dev.locald.build.Build;
import dev.locald.build.BuildId;
import dev.locald.build.BuildNotFinishedException;
import dev.locald.build.BuildService;
import dev.locald.build.BuildState;
import dev.locald.build.NoSuchBuildException;
import dev.locald.build.QueueFullException;
import dev.locald.build.SourceSubmission;
import dev.locald.config.LocaldConfig;
import dev.locald.logs.LogRecord;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The build API: submit, inspect, list, cancel, delete builds and read their logs. */
@Path("/builds")
public class BuildsResource {
    static final String NDJSON = "application/x-ndjson";
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private final BuildService builds;
    private final LocaldConfig.Builds config;
    private final BuildRequestParser parser;

    public BuildsResource(BuildService builds, LocaldConfig config) {
        this.builds = builds;
        this.config = config.builds();
        this.parser = new BuildRequestParser(this.config.maxTimeout(), this.config.allowSourcePath(), config.dataRoot());
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response submitMultipart(@RestForm("build") String build, @RestForm("source") FileUpload source)
            throws IOException, QueueFullException {
        List<FieldError> missing = new java.util.ArrayList<>();
        if (build == null || build.isBlank()) {
            missing.add(new FieldError("build", "the multipart part 'build' (the request as JSON) is missing"));
        }
        if (source == null) {
            missing.add(new FieldError("source", "the multipart part 'source' (a tar, tar.gz or zip of the app) is missing"));
        }
        if (!missing.isEmpty()) {
            throw ProblemException.invalid(missing);
        }
        byte[] json = build.getBytes(StandardCharsets.UTF_8);
        requireJsonSize(json.length);
        BuildRequestParser.Parsed parsed = parser.parse(json, BuildRequestParser.Mode.MULTIPART);
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
            throw ProblemException.invalid("source", "is not a tar, tar.gz or zip archive (judged by its content, not its name)");
        }
        Build accepted = builds.submit(parsed.request(), new SourceSubmission.Upload(source.uploadedFile(), format.get()));
        return accepted(accepted);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response submitJson(byte[] body) throws IOException, QueueFullException {
        requireJsonSize(body.length);
        BuildRequestParser.Parsed parsed = parser.parse(body, BuildRequestParser.Mode.JSON);
        Build accepted = builds.submit(parsed.request(), new SourceSubmission.Directory(parsed.sourcePath().orElseThrow()));
        return accepted(accepted);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public BuildListView list(@QueryParam("state") List<String> state, @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        Set<BuildState> states = EnumSet.noneOf(BuildState.class);
        List<FieldError> errors = new java.util.ArrayList<>();
        for (String value : state) {
            for (String s : value.split(",")) {
                parseState(s.trim()).ifPresentOrElse(states::add, () -> errors.add(new FieldError("state",
                        "'" + BuildRequestParser.printable(s) + "' is not one of queued, pulling, running, succeeded, failed, cancelled")));
            }
        }
        int lim = intParam("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT, errors);
        int off = intParam("offset", offset, 0, 0, Integer.MAX_VALUE, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        BuildService.BuildPage page = builds.list(states, off, lim);
        String next = null;
        if (off + page.items().size() < page.total()) {
            StringBuilder link = new StringBuilder("/builds?offset=").append(off + page.items().size()).append("&limit=").append(lim);
            states.forEach(s -> link.append("&state=").append(s.name().toLowerCase(Locale.ROOT)));
            next = link.toString();
        }
        return new BuildListView(page.items().stream().map(BuildView::of).toList(), page.total(), off, lim, next);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public BuildView get(@PathParam("id") String id) throws NoSuchBuildException {
        BuildId buildId = buildId(id);
        return BuildView.of(builds.find(buildId).orElseThrow(() -> new NoSuchBuildException(buildId)));
    }

    @POST
    @Path("/{id}/cancel")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("id") String id) throws NoSuchBuildException {
        Build build = builds.cancel(buildId(id));
        // 202 while the build is still stopping, 200 once it has ended
        return Response.status(build.state().isTerminal() ? 200 : 202).entity(BuildView.of(build)).build();
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) throws NoSuchBuildException, BuildNotFinishedException, IOException {
        builds.delete(buildId(id));
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    @Blocking
    public Multi<String> textLog(@PathParam("id") String id, @QueryParam("follow") String follow,
            @QueryParam("after") String after, @HeaderParam("Last-Event-ID") String lastEventId) throws NoSuchBuildException {
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
    public Multi<LogLineView> ndjsonLog(@PathParam("id") String id, @QueryParam("follow") String follow,
            @QueryParam("after") String after, @HeaderParam("Last-Event-ID") String lastEventId) throws NoSuchBuildException {
        return records(id, follow, after, lastEventId).map(LogLineView::of);
    }

    /** SSE always follows the build; the last event is {@code end}, with the build's final state as data. */
    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> sseLog(@PathParam("id") String id, @QueryParam("after") String after,
            @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) throws NoSuchBuildException {
        BuildId buildId = buildId(id);
        Multi<OutboundSseEvent> lines = records(id, "true", after, lastEventId).map(r -> sse.newEventBuilder()
                .id(Long.toString(r.seq()))
                .name("log")
                .mediaType(MediaType.TEXT_PLAIN_TYPE)
                .data(String.class, json(LogLineView.of(r)))
                .build());
        return lines.onCompletion().switchTo(() -> Multi.createFrom().item(() -> {
            String state = builds.find(buildId).map(b -> b.state().name().toLowerCase(Locale.ROOT)).orElse("deleted");
            return sse.newEventBuilder().name("end").mediaType(MediaType.TEXT_PLAIN_TYPE)
                    .data(String.class, "{\"state\":\"" + state + "\"}").build();
        }));
    }

    private Multi<List<LogRecord>> batches(String id, String follow, String after, String lastEventId)
            throws NoSuchBuildException {
        ResumePoint from = resumePoint(follow, after, lastEventId);
        return builds.logBatches(buildId(id), from.afterSeq(), from.follow());
    }

    private Multi<LogRecord> records(String id, String follow, String after, String lastEventId) throws NoSuchBuildException {
        ResumePoint from = resumePoint(follow, after, lastEventId);
        return builds.logs(buildId(id), from.afterSeq(), from.follow());
    }

    private record ResumePoint(long afterSeq, boolean follow) {
    }

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
        return Response.status(Response.Status.ACCEPTED).header("Location", location).entity(AcceptedView.of(build)).build();
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
