package dev.locald.api;

import static dev.locald.api.ApiTestSupport.awaitEnded;
import static dev.locald.api.ApiTestSupport.submit;
import static dev.locald.api.ApiTestSupport.submitScript;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three log formats, live following, SSE resumption and redaction, through HTTP. */
@QuarkusTest
@TestProfile(BuildApiTestProfile.class)
class BuildLogsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/")
    URI base;

    @Test
    void textFollowShowsTheFirstLineBeforeTheBuildEnds() throws Exception {
        String id = submitScript("slow");
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(base.resolve("/builds/" + id + "/logs?follow=true"))
                        .header("Accept", "text/plain")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String first = reader.readLine();
            String stateAtFirstLine = ApiTestSupport.state(id);
            assertNotNull(first);
            assertFalse(
                    List.of("succeeded", "failed", "cancelled").contains(stateAtFirstLine),
                    "the first line arrived only after the build ended (" + stateAtFirstLine + ")");
            lines.add(first);
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        // the stream ends with the build, and every line came exactly once, in order
        assertEquals("succeeded", ApiTestSupport.state(id));
        assertEquals("[locald] pulling localhost:5000/builders/fixture:1", lines.get(0));
        assertEquals(
                List.of(
                        "[detect] detect line 1",
                        "[detect] detect line 2",
                        "[detect] detect line 3",
                        "[build] build line 1",
                        "[build] build line 2",
                        "[build] build line 3"),
                lines.subList(1, 7));
        assertTrue(lines.get(7).startsWith("[locald] build succeeded: "), lines.get(7));
        assertEquals(8, lines.size(), lines.toString());
    }

    @Test
    void lineToClientLatencyIsSmall() throws Exception {
        String id = submitScript("timed");
        List<Long> micros = new ArrayList<>();
        long caughtUp = 0;
        // a raw socket, so that no client-side buffering is measured
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setTcpNoDelay(true);
            socket.getOutputStream()
                    .write(("GET /builds/" + id + "/logs?follow=true HTTP/1.1\r\nHost: x\r\n"
                                    + "Accept: text/plain\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1);
            String line;
            while ((line = reader.readLine()) != null) {
                long now = System.nanoTime();
                int at = line.indexOf("[build] t=");
                if (at >= 0) {
                    long writtenAt = Long.parseLong(
                            line.substring(at + "[build] t=".length()).trim());
                    if (caughtUp == 0) {
                        caughtUp = now;
                    }
                    // lines written before this reader caught up measure the connect time, not the stream
                    if (writtenAt > caughtUp) {
                        micros.add((now - writtenAt) / 1000);
                    }
                }
            }
        }
        assertTrue(micros.size() >= 50, micros.size() + " lines measured");
        List<Long> sorted = micros.stream().sorted().toList();
        long p50 = sorted.get(sorted.size() / 2);
        long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        System.out.printf(
                "log latency over HTTP (text follow, %d lines): p50 %d us, p99 %d us, max %d us%n",
                sorted.size(), p50, p99, sorted.get(sorted.size() - 1));
        // the target is 50 ms at p99; leave room for a loaded 2-core test machine
        assertTrue(p99 < 200_000, "p99 " + p99 + " us");
    }

    @Test
    void sseReconnectWithLastEventIdMissesAndRepeatsNothing() throws Exception {
        String id = submitScript("slow");
        URI logs = base.resolve("/builds/" + id + "/logs");
        List<SseEvent> first = readSse(logs, null, 3);
        assertEquals(3, first.size());
        String lastId = first.get(2).id;
        List<SseEvent> rest = readSse(logs, lastId, Integer.MAX_VALUE);
        SseEvent end = rest.remove(rest.size() - 1);
        assertEquals("end", end.event);
        assertEquals("succeeded", JSON.readTree(end.data).get("state").asText());

        List<Long> seqs = new ArrayList<>();
        for (SseEvent e : first) {
            seqs.add(Long.parseLong(e.id));
        }
        for (SseEvent e : rest) {
            assertEquals("log", e.event);
            seqs.add(Long.parseLong(e.id));
            assertEquals(Long.parseLong(e.id), JSON.readTree(e.data).get("seq").asLong());
        }
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= seqs.size(); s++) {
            expected.add(s);
        }
        assertEquals(expected, seqs, "every record exactly once, in order");
        // and that is the whole log
        assertEquals(seqs.size(), ndjson(id).size());
    }

    @Test
    void ndjsonHasTimePhaseStreamAndText() throws Exception {
        String id = submitScript("ok");
        awaitEnded(id);
        List<JsonNode> records = ndjson(id);
        assertEquals(1, records.get(0).get("seq").asLong());
        assertEquals("system", records.get(0).get("stream").asText());
        assertFalse(records.get(0).has("phase"), "locald's own lines carry no phase");
        JsonNode detect = records.get(1);
        assertEquals("detect", detect.get("phase").asText());
        assertEquals("stdout", detect.get("stream").asText());
        assertEquals("detect line 1", detect.get("text").asText());
        assertTrue(
                detect.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"),
                detect.get("time").asText());
        assertEquals("stderr", records.get(2).get("stream").asText());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i + 1, records.get(i).get("seq").asLong());
        }
    }

    @Test
    void resumingAfterASeqReadsOlderLinesBackFromTheFile() throws Exception {
        // 300 lines with 50 kept in memory: a reader starting at 10 is served from the file
        String id = submit(ApiTestSupport.request("many").replace("}}", ",\"LINES\":\"300\"}}"))
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        awaitEnded(id);
        String text = given().accept("text/plain")
                .get("/builds/" + id + "/logs?after=10")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        String[] lines = text.split("\n");
        assertEquals("[build] build line 10", lines[0]); // seq 11: seq 1 is the pull line
        assertEquals(292, lines.length); // seqs 11..301 are lines 10..300, then the summary line
        for (int i = 0; i < 291; i++) {
            assertEquals("[build] build line " + (10 + i), lines[i]);
        }
    }

    @Test
    void secretsAreRedactedInEveryFormatAndNeverStored() throws Exception {
        String password = "s3cr3t-P4ss!";
        String token = "npm_AbCdEf123456";
        String body = "{\"image\":\"localhost:5000/apps/sample\",\"builder\":\"localhost:5000/builders/fixture:1\","
                + "\"env\":{\"SCRIPT\":\"leak\",\"NPM_TOKEN\":\"" + token + "\"},\"secretEnv\":[\"NPM_TOKEN\"],"
                + "\"registryAuth\":{\"username\":\"ci-bot\",\"password\":\"" + password + "\"}}";
        String id = submit(body).then().statusCode(202).extract().path("id");
        assertEquals("failed", awaitEnded(id));
        String blob = Base64.getEncoder().encodeToString(("ci-bot:" + password).getBytes(StandardCharsets.UTF_8));

        String text = given().accept("text/plain")
                .get("/builds/" + id + "/logs")
                .then()
                .extract()
                .asString();
        String nd = given().accept(BuildsResource.NDJSON)
                .get("/builds/" + id + "/logs")
                .then()
                .extract()
                .asString();
        String sse = String.join(
                "\n",
                readSse(base.resolve("/builds/" + id + "/logs"), null, Integer.MAX_VALUE).stream()
                        .map(e -> e.data)
                        .toList());
        String record = given().get("/builds/" + id).then().extract().asString();
        String buildJson = Files.readString(
                ApiTestSupport.DATA_DIR.resolve("builds").resolve(id).resolve("build.json"));
        String logFile = Files.readString(
                ApiTestSupport.DATA_DIR.resolve("builds").resolve(id).resolve("log.ndjson"));
        for (String shown : List.of(text, nd, sse, record, buildJson, logFile)) {
            assertFalse(shown.contains(password), shown);
            assertFalse(shown.contains(blob), shown);
            assertFalse(shown.contains(token), shown);
        }
        assertTrue(text.contains("[export] password is ***"), text);
        assertTrue(text.contains("[export] Authorization: Basic ***"), text);
        assertTrue(text.contains("[export] token ***"), text);
        assertTrue(nd.contains("password is ***"), nd);
        assertTrue(sse.contains("password is ***"), sse);
        assertTrue(record.contains("push refused with password ***"), record);
    }

    private List<JsonNode> ndjson(String id) throws Exception {
        String body = given().accept(BuildsResource.NDJSON)
                .get("/builds/" + id + "/logs")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        List<JsonNode> records = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    /** Reads SSE events until {@code max} log events were read or the stream ended (then the last is the end event). */
    private List<SseEvent> readSse(URI logs, String lastEventId, int max) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(logs).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        List<SseEvent> events = new ArrayList<>();
        try (InputStream in = response.body();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            SseEvent current = new SseEvent();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (current.data != null) {
                        events.add(current);
                        if ("end".equals(current.event) || events.size() >= max) {
                            break;
                        }
                    }
                    current = new SseEvent();
                } else if (line.startsWith("id:")) {
                    current.id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    current.event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    current.data = line.substring(5).trim();
                }
            }
        }
        return events;
    }

    private static final class SseEvent {
        String id;
        String event;
        String data;
    }
}
