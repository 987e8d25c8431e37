#!/usr/bin/env bash
# Benchmark: root mode against rootless mode side by side in one run (docs/benchmarks.md, "Rootless mode"). Two
# packaged locald run at once on the same machine and disk: one as root, one as an ordinary user through
# scripts/locald (its user, mount and pid namespaces; docs/operations.md, "Rootless mode"), each with its own data
# dir under BENCH_DIR. bench/rootless-client.py then measures, interleaved and alternating which mode goes first:
# cold pull + extraction of the pack-made builder, one container (the fixture detector phase), a warm untrusted
# fixture build and a warm trusted real-lifecycle build.
# Run as root. The user must exist with subordinate ids (RootlessIT creates locald-it; or useradd -m and the step
# `scripts/locald` prints). Needs runc, pasta, uidmap, docker-registry, java 17, python3, curl, and Go for
# scripts/real-cnb (cached after the first run).
#   RUNS=5 BENCH_USER=locald-it PORT=47940 (registry) ROOT_PORT=18082 ROOTLESS_PORT=18083
#   BENCH_DIR=/var/tmp/locald-bench-rootless SKIP_PACKAGE=1 (reuse target/quarkus-app)
set -euo pipefail
BENCH_DIR=${BENCH_DIR:-/var/tmp/locald-bench-rootless}
. "$(dirname "$0")/lib.sh"
need docker-registry java curl runc python3 runuser
[ "$(id -u)" = 0 ] || { echo "run as root: it starts one locald as root and one as \$BENCH_USER" >&2; exit 1; }
RUNS=${RUNS:-5}
BENCH_USER=${BENCH_USER:-locald-it}
PORT=${PORT:-47940}
ROOT_PORT=${ROOT_PORT:-18082}
ROOTLESS_PORT=${ROOTLESS_PORT:-18083}
REG=127.0.0.1:$PORT
id -u "$BENCH_USER" >/dev/null 2>&1 || { echo "no user $BENCH_USER: useradd -m $BENCH_USER (and the step scripts/locald prints)" >&2; exit 1; }
for p in "$PORT" "$ROOT_PORT" "$ROOTLESS_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is in use; set PORT / ROOT_PORT / ROOTLESS_PORT" >&2; exit 1; fi
done

ROOT_PID= ROOTLESS_PID=
cleanup() {
  set +e
  # the rootless one: runuser passes SIGTERM on, and the end of unshare ends its pid namespace
  for pid in $ROOTLESS_PID $ROOT_PID; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  kill "$REGISTRY_PID" 2>/dev/null; wait "$REGISTRY_PID" 2>/dev/null
  # rootless mounts went with its mount namespace; the root one's are cleaned at its shutdown
  rm -rf "$BENCH_DIR/root-data" "$BENCH_DIR/rootless-data"
  true
}
mkdir -p "$BENCH_DIR" && chmod 755 "$BENCH_DIR"
start_registry "$PORT"
trap cleanup EXIT # replaces start_registry's trap; cleanup stops the registry too
echo "load before: $(uptime)"

cd "$ROOT"
if [ -z "${SKIP_PACKAGE:-}" ]; then
  ./mvnw -B -ntp -q -o compile quarkus:build -DskipTests -Dspotless.check.skip=true
fi
./mvnw -B -ntp -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test \
  -Dspotless.check.skip=true >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench.cp)"

# --- images and apps ----------------------------------------------------------------------------------------------
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" dev.locald.tools.PublishFixtures "$REG" \
  >"$BENCH_DIR/fixtures.txt"
"$ROOT/scripts/real-cnb/publish.sh" "$REG" >"$BENCH_DIR/published.txt" 2>"$BENCH_DIR/publish.log"
REAL_BUILDER=$(sed -n 's/^builder-1000=\(.*\)@sha256:.*/\1/p' "$BENCH_DIR/published.txt")
FIXTURE_BUILDER=$REG/fixtures/builder-busybox:latest
tar -C buildpacks-fixtures/apps/hello -cf "$BENCH_DIR/hello.tar" .
mkdir -p "$BENCH_DIR/procfile-app" && printf 'web: echo hello\n' >"$BENCH_DIR/procfile-app/Procfile"
tar -C "$BENCH_DIR/procfile-app" -cf "$BENCH_DIR/procfile.tar" Procfile

# --- the two locald ------------------------------------------------------------------------------------------------
# The user reads scripts/ and the app from a copy (a checkout under /root is closed to it); root runs the same copy.
LAUNCH=$BENCH_DIR/launch
rm -rf "$LAUNCH" && mkdir -p "$LAUNCH"
cp -a scripts "$LAUNCH/" && cp -a target/quarkus-app "$LAUNCH/app" && chmod -R a+rX "$LAUNCH"
rm -rf "$BENCH_DIR/root-data" "$BENCH_DIR/rootless-data"
mkdir -p "$BENCH_DIR/rootless-data" && chown "$BENCH_USER:" "$BENCH_DIR/rootless-data"
COMMON=(-Dlocald.registry.allow-loopback=true "-Dlocald.lifecycle.image=$REG/buildpacksio/lifecycle:{version}")
LOCALD_APP=$LAUNCH/app/quarkus-run.jar "$LAUNCH/scripts/locald" -Dquarkus.http.port="$ROOT_PORT" \
  -Dlocald.data-dir="$BENCH_DIR/root-data" "${COMMON[@]}" >"$BENCH_DIR/root.log" 2>&1 &
ROOT_PID=$!
USER_HOME=$(getent passwd "$BENCH_USER" | cut -d: -f6)
runuser -u "$BENCH_USER" -- env -i PATH="$(dirname "$(readlink -f "$(command -v java)")"):/usr/sbin:/usr/bin:/sbin:/bin" \
  HOME="$USER_HOME" LANG=C.UTF-8 LOCALD_APP="$LAUNCH/app/quarkus-run.jar" "$LAUNCH/scripts/locald" \
  -Dquarkus.http.port="$ROOTLESS_PORT" -Dlocald.data-dir="$BENCH_DIR/rootless-data" "${COMMON[@]}" \
  >"$BENCH_DIR/rootless.log" 2>&1 &
ROOTLESS_PID=$!
for p in "$ROOT_PORT:$ROOT_PID:root" "$ROOTLESS_PORT:$ROOTLESS_PID:rootless"; do
  IFS=: read -r port pid name <<<"$p"
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/q/health/started" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "$name locald exited:" >&2; tail -20 "$BENCH_DIR/$name.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "$name locald: mode $(curl -fsS "http://127.0.0.1:$port/q/health/ready" | python3 -c \
    'import json,sys; print([c["data"]["mode"] for c in json.load(sys.stdin)["checks"] if c["name"] == "mode"][0])')"
done

python3 "$ROOT/bench/rootless-client.py" "http://127.0.0.1:$ROOT_PORT" "http://127.0.0.1:$ROOTLESS_PORT" "$REG" \
  "$REAL_BUILDER" "$FIXTURE_BUILDER" "$BENCH_DIR/hello.tar" "$REAL_BUILDER" "$BENCH_DIR/procfile.tar" "$RUNS"
echo "load after: $(uptime)"
