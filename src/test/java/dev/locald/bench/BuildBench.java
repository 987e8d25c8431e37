package dev.locald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.locald.testsupport.MultipartBuild;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Benchmark (run by {@code bench/build-e2e.sh} against a running locald, not a test): warm end-to-end
 * builds of the sample app (POST to published digest) and locald's own share of them (total minus the
 * time inside phase processes); the latency from locald reading a line off a container's pipe to a
 * streaming client receiving it; and eight concurrent builds. Arguments: locald-url registry builder
 * app.tar runs.
 */
public final class BuildBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        URI locald = URI.create(args[0]);
        String registry = args[1];
        String builder = args[2];
        byte[] app = Files.readAllBytes(Path.of(args[3]));
        int runs = Integer.parseInt(args[4]);

        build(locald, registry + "/bench/warmup:1", builder, app, null); // pulls and extracts the builder
        List<Double> totals = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            JsonNode done = build(locald, registry + "/bench/app:" + i, builder, app, latencies);
            double total = (System.nanoTime() - start) / 1e6;
            double inPhases = 0;
            for (JsonNode phase : done.path("phases")) {
                inPhases += phase.path("durationMs").asDouble();
            }
            totals.add(total);
            shares.add(total - inPhases);
        }
        System.out.printf(
                "warm build, POST to digest: median %.0f ms [%.0f–%.0f], n=%d%n",
                median(totals), min(totals), max(totals), runs);
        System.out.printf(
                "locald's share (total − time in phase processes): median %.0f ms [%.0f–%.0f]%n",
                median(shares), min(shares), max(shares));
        List<Double> l = new ArrayList<>(latencies);
        Collections.sort(l);
        System.out.printf(
                "log latency, line read off the pipe → NDJSON client: p50 %.1f ms, p99 %.1f ms, max %.1f ms, n=%d lines%n",
                l.get(l.size() / 2),
                l.get((int) Math.min(l.size() - 1, Math.ceil(l.size() * 0.99) - 1)),
                l.get(l.size() - 1),
                l.size());

        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 8; i++) {
            String image = registry + "/bench/concurrent-" + i + ":1";
            Thread t = new Thread(() -> {
                try {
                    outcomes.add(build(locald, image, builder, app, null)
                            .path("state")
                            .asText());
                } catch (Exception e) {
                    outcomes.add("error: " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        long ok = outcomes.stream().filter("succeeded"::equals).count();
        System.out.printf(
                "8 concurrent builds: %d succeeded, wall %.1f s; outcomes %s%n",
                ok, (System.nanoTime() - start) / 1e9, outcomes);
    }

    /** Submits one trusted build, optionally follows its NDJSON log, and waits until it ends. */
    private static JsonNode build(
            URI locald, String image, String builder, byte[] app, ConcurrentLinkedQueue<Double> latencies)
            throws Exception {
        String build = JSON.writeValueAsString(Map.of("image", image, "builder", builder, "trustBuilder", true));
        HttpResponse<String> posted =
                HTTP.send(MultipartBuild.request(locald, build, app), HttpResponse.BodyHandlers.ofString());
        if (posted.statusCode() != 202) {
            throw new IllegalStateException("POST /builds answered " + posted.statusCode() + ": " + posted.body());
        }
        String id = JSON.readTree(posted.body()).path("id").asText();
        Thread follower = null;
        if (latencies != null) {
            follower = new Thread(() -> followNdjson(locald, id, latencies));
            follower.start();
        }
        while (true) {
            JsonNode b = JSON.readTree(HTTP.send(
                            HttpRequest.newBuilder(locald.resolve("/builds/" + id))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            String state = b.path("state").asText();
            if (state.equals("succeeded") || state.equals("failed") || state.equals("cancelled")) {
                if (follower != null) {
                    follower.join();
                }
                if (!state.equals("succeeded")) {
                    throw new IllegalStateException(
                            "build " + id + " " + state + ": " + b.path("error").asText());
                }
                return b;
            }
            Thread.sleep(5);
        }
    }

    /** Raw socket, so that no client-side buffering adds to what is measured. */
    private static void followNdjson(URI locald, String id, ConcurrentLinkedQueue<Double> latencies) {
        try (Socket socket = new Socket(locald.getHost(), locald.getPort())) {
            socket.getOutputStream()
                    .write(("GET /builds/" + id + "/logs?follow=true HTTP/1.1\r\nHost: x\r\n"
                                    + "Accept: application/x-ndjson\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                int brace = line.indexOf('{');
                if (brace < 0) {
                    continue;
                }
                Instant received = Instant.now();
                JsonNode record = JSON.readTree(line.substring(brace));
                if (record.has("time")
                        && !record.path("phase").isNull()
                        && !record.path("phase").isMissingNode()) {
                    Instant stamped = Instant.parse(record.path("time").asText());
                    latencies.add((received.toEpochMilli() - stamped.toEpochMilli())
                            + (received.getNano() % 1_000_000 - stamped.getNano() % 1_000_000) / 1e6);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("following the log of " + id + " failed", e);
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static double min(List<Double> v) {
        return Collections.min(v);
    }

    private static double max(List<Double> v) {
        return Collections.max(v);
    }
}
