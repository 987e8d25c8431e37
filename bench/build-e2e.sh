#!/usr/bin/env bash
# Benchmark: warm end-to-end builds of the sample app against a running locald (packaged jar), with
# locald's own share of each build, log latency to a streaming client, and eight concurrent builds.
# No peer runs here: pack, Spring Boot and Quarkus need a Docker daemon, which this machine lacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need docker-registry java curl
RUNS=${RUNS:-10}
PORT=${PORT:-47938}
start_registry "$PORT"
REG=127.0.0.1:$PORT
cd "$ROOT"
./mvnw -q -B -ntp package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench.cp)"
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" dev.locald.tools.PublishFixtures "$REG"
tar -C buildpacks-fixtures/apps/hello -cf "$BENCH_DIR/hello.tar" .
rm -rf "$BENCH_DIR/locald-e2e"
java -Dquarkus.http.port=18080 -Dlocald.data-dir="$BENCH_DIR/locald-e2e" -Dlocald.registry.allow-loopback=true -jar target/quarkus-app/quarkus-run.jar \
  > "$BENCH_DIR/locald.log" 2>&1 &
LOCALD_PID=$!
trap 'kill $LOCALD_PID 2>/dev/null; wait $LOCALD_PID 2>/dev/null || true; kill $REGISTRY_PID 2>/dev/null; wait $REGISTRY_PID 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null http://127.0.0.1:18080/q/health/live 2>/dev/null || curl -fsS -o /dev/null http://127.0.0.1:18080/builds 2>/dev/null; do sleep 0.2; done
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" dev.locald.bench.BuildBench http://127.0.0.1:18080 "$REG" "$REG/fixtures/builder-busybox:latest" \
  "$BENCH_DIR/hello.tar" "$RUNS"
