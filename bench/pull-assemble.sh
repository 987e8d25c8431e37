#!/usr/bin/env bash
# Benchmark: cold pull + assemble of a builder-sized image (debootstrap minbase + ~100 MB of data, 3
# layers, ~136 MB compressed) — skopeo copy + umoci unpack vs locald, same registry, same run — and
# warm assembly of a small and the large image. Figures go to docs/benchmarks.md. Needs root (drop_caches).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need debootstrap skopeo umoci hyperfine docker-registry java
RUNS=${RUNS:-5}
PORT=${PORT:-47937}
start_registry "$PORT"
REG=127.0.0.1:$PORT
builder_image "$REG/bench/builder:1"
# a small image: busybox only
mkdir -p "$BENCH_DIR/small"; cp /bin/busybox "$BENCH_DIR/small/busybox"
tar -C "$BENCH_DIR/small" -cf "$BENCH_DIR/small.tar" busybox
[ -f "$BENCH_DIR/oci-small/index.json" ] || { umoci init --layout "$BENCH_DIR/oci-small"; umoci new --image "$BENCH_DIR/oci-small:1"; \
  umoci raw add-layer --image "$BENCH_DIR/oci-small:1" "$BENCH_DIR/small.tar"; }
skopeo copy -q --dest-tls-verify=false "oci:$BENCH_DIR/oci-small:1" "docker://$REG/bench/small:1"

cd "$ROOT"
./mvnw -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench.cp)"

echo "== peer: skopeo copy + umoci unpack, cold (drop_caches before each), $RUNS runs"
hyperfine -N -r "$RUNS" --export-json "$BENCH_DIR/peer.json" \
  --prepare "sh -c 'rm -rf $BENCH_DIR/peer-oci $BENCH_DIR/peer-bundle; sync; echo 3 > /proc/sys/vm/drop_caches'" \
  "sh -c 'skopeo copy -q --src-tls-verify=false docker://$REG/bench/builder:1 oci:$BENCH_DIR/peer-oci:x && umoci unpack --image $BENCH_DIR/peer-oci:x $BENCH_DIR/peer-bundle'"
rm -rf "$BENCH_DIR/peer-oci" "$BENCH_DIR/peer-bundle"

echo "== locald: cold pull + assemble in a warm JVM (drop_caches before each), $RUNS runs"
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" dev.locald.bench.PullAssembleBench cold "$REG/bench/builder:1" "$RUNS" "$BENCH_DIR/locald-data"
echo "== locald: warm assembly (everything cached), 20 runs each"
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" dev.locald.bench.PullAssembleBench warm "$REG/bench/small:1" 20 "$BENCH_DIR/locald-data-small"
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" dev.locald.bench.PullAssembleBench warm "$REG/bench/builder:1" 20 "$BENCH_DIR/locald-data"
rm -rf "$BENCH_DIR/locald-data" "$BENCH_DIR/locald-data-small"
