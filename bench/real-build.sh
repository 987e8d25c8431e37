#!/usr/bin/env bash
# Benchmark: warm builds of a Procfile-only app with the real CNB lifecycle (v0.21.17) and a pack-made builder,
# through a running packaged locald (trusted builder: one creator container), next to the same creator run by
# hand under runc on the same root filesystem (the limit). One cold build warms locald's store and cache, one
# untimed hand-made run warms the hand-made cache; then RUNS rounds, each one locald build and one hand-made run,
# same app, same target image. Prints per-run figures and a table (median, p90) of
#   (a) locald build wall time, POST /builds to the terminal state seen by the client
#   (b) the creator phase's durationMs in the build record (bundle, synthetic /etc, runc run, output pumps)
#   (c) locald's own share, a - b
#   (d) wall time of `runc run` of the hand-made bundle
# and (c) split by the record's timestamps (see real-build-client.py). Figures and what differs in (d): docs/benchmarks.md.
# Needs root, runc, docker-registry, java 17, python3, jq, and Go for scripts/real-cnb (cached after the first run).
#   RUNS=5 PORT=47939 (registry) LOCALD_PORT=18081 BENCH_DIR=/var/tmp/locald-bench-real SKIP_PACKAGE=1 (reuse
#   target/quarkus-app)
set -euo pipefail
BENCH_DIR=${BENCH_DIR:-/var/tmp/locald-bench-real}
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/real-cnb/creator-bundle.sh"
need docker-registry java curl runc python3 jq mount
[ "$(id -u)" = 0 ] || { echo "run as root (runc, overlay mounts)" >&2; exit 1; }
RUNS=${RUNS:-5}
PORT=${PORT:-47939}
LOCALD_PORT=${LOCALD_PORT:-18081}
REG=127.0.0.1:$PORT
LOCALD=http://127.0.0.1:$LOCALD_PORT
DATA=$BENCH_DIR/locald     # locald's data dir, fresh every run
RAW=$BENCH_DIR/raw         # the hand-made bundle, its root (overlay), its build dirs and cache
RUNC_ROOT=$BENCH_DIR/runc  # runc state of the hand-made containers
RAW_ID=locald-bench-creator-$$
CNB_UID=1000 CNB_GID=1000
TARGET=$REG/bench/real-app:latest
CLIENT=$ROOT/bench/real-build-client.py
LOCALD_PID=

for p in "$PORT" "$LOCALD_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$p/"; then echo "port $p is in use; set PORT / LOCALD_PORT" >&2; exit 1; fi
done

# Mounts under BENCH_DIR, deepest first: the hand-made root, and any overlay a stopped locald left in its work dir.
unmount_all() {
  awk -v p="$BENCH_DIR/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}
cleanup() {
  set +e
  if [ -n "$LOCALD_PID" ]; then kill "$LOCALD_PID" 2>/dev/null; wait "$LOCALD_PID" 2>/dev/null; fi
  for r in "$RUNC_ROOT" "$DATA/runc"; do
    [ -d "$r" ] || continue
    for id in $(runc --root "$r" list -q 2>/dev/null); do runc --root "$r" delete -f "$id" >/dev/null 2>&1; done
  done
  unmount_all
  kill "$REGISTRY_PID" 2>/dev/null; wait "$REGISTRY_PID" 2>/dev/null
  true
}

mkdir -p "$BENCH_DIR"
unmount_all
start_registry "$PORT"
trap cleanup EXIT # replaces start_registry's trap; cleanup stops the registry too
echo "load before: $(uptime)"

# --- images, app, locald ------------------------------------------------------------------------------------------
"$ROOT/scripts/real-cnb/publish.sh" "$REG" >"$BENCH_DIR/published.txt" 2>"$BENCH_DIR/publish.log"
BUILDER=$(sed -n 's/^builder-1000=\(.*\)@sha256:.*/\1/p' "$BENCH_DIR/published.txt")
# shellcheck source=/dev/null
source "${LOCALD_CNB_CACHE:-$HOME/.cache/locald/cnb}/tools.env" # CRANE
echo "builder: $(grep '^builder-1000=' "$BENCH_DIR/published.txt" | cut -d= -f2)"
rm -rf "$BENCH_DIR/app" && mkdir -p "$BENCH_DIR/app"
printf 'web: echo hello\n' >"$BENCH_DIR/app/Procfile"
tar -C "$BENCH_DIR/app" -cf "$BENCH_DIR/app.tar" Procfile

cd "$ROOT"
if [ -z "${SKIP_PACKAGE:-}" ]; then
  # compile + quarkus:build makes target/quarkus-app like package, without the jar plugin (not in every offline
  # Maven repository); offline first, then online.
  ./mvnw -B -ntp -q -o compile quarkus:build -DskipTests -Dspotless.check.skip=true \
    || ./mvnw -B -ntp -q compile quarkus:build -DskipTests -Dspotless.check.skip=true
fi
rm -rf "$DATA"
java -Dquarkus.http.port="$LOCALD_PORT" -Dlocald.data-dir="$DATA" -Dlocald.registry.allow-loopback=true -jar target/quarkus-app/quarkus-run.jar \
  >"$BENCH_DIR/locald.log" 2>&1 &
LOCALD_PID=$!
until curl -fsS -o /dev/null "$LOCALD/q/health/live" 2>/dev/null; do
  kill -0 "$LOCALD_PID" 2>/dev/null || { tail -20 "$BENCH_DIR/locald.log" >&2; exit 1; }
  sleep 0.2
done

# Cold build: pulls and extracts the builder, fills the cache and pushes the first image. Meanwhile the client
# copies locald's config.json of the creator container, so the hand-made run gets the very same process
# (argv, env, cwd, user).
python3 "$CLIENT" "$LOCALD" "$BUILDER" "$TARGET" "$BENCH_DIR/app.tar" \
  "$DATA/bundles/*-creator/config.json" "$BENCH_DIR/locald-creator-config.json" >"$BENCH_DIR/cold.json"
echo "cold build: $(jq -r '"\(.total_ms) ms, creator \(.creator_ms) ms"' "$BENCH_DIR/cold.json")"

# --- the hand-made bundle ----------------------------------------------------------------------------------------
# Its root is an overlay of the builder's layer dirs in locald's store, mounted as locald mounts them (same
# options, top layer first), fresh before every run like locald's per-phase assembly (untimed here).
LOWERS=""
for d in $("$CRANE" --insecure config "$BUILDER" | jq -r '.rootfs.diff_ids | reverse | .[]'); do
  LOWERS+="${LOWERS:+:}$DATA/layers/sha256/${d#sha256:}"
done
rm -rf "$RAW" && mkdir -p "$RAW/dirs/cache" "$RUNC_ROOT"
chown "$CNB_UID:$CNB_GID" "$RAW/dirs/cache"
fresh_raw_build() {
  if mountpoint -q "$RAW/root/m"; then umount "$RAW/root/m"; fi
  rm -rf "$RAW/root" "$RAW/dirs/workspace" "$RAW/dirs/layers" "$RAW/dirs/tmp" "$RAW/dirs/platform"
  mkdir -p "$RAW/root/u" "$RAW/root/w" "$RAW/root/m" "$RAW/dirs/workspace" "$RAW/dirs/layers" "$RAW/dirs/tmp" \
    "$RAW/dirs/platform"
  mount -t overlay overlay -o "userxattr,volatile,lowerdir=$LOWERS,upperdir=$RAW/root/u,workdir=$RAW/root/w" \
    "$RAW/root/m"
  tar -xf "$BENCH_DIR/app.tar" -C "$RAW/dirs/workspace"
  cp "$RAW/root/m/cnb/run.toml" "$RAW/dirs/layers/run.toml" # locald writes /layers/run.toml the same way
  chown -R "$CNB_UID:$CNB_GID" "$RAW/dirs/workspace" "$RAW/dirs/layers" "$RAW/dirs/platform"
  chmod 1777 "$RAW/dirs/tmp"
}

# raw_run: prints the wall time of `runc run` in ms; the creator's output goes to raw.log as locald's to its log.
raw_run() {
  fresh_raw_build
  local t0 t1 rc=0
  t0=$EPOCHREALTIME
  runc --root "$RUNC_ROOT" run --bundle "$RAW/bundle" "$RAW_ID" </dev/null >>"$BENCH_DIR/raw.log" 2>&1 || rc=$?
  t1=$EPOCHREALTIME
  [ "$rc" = 0 ] || { echo "hand-made creator run exited $rc; see $BENCH_DIR/raw.log" >&2; tail -20 "$BENCH_DIR/raw.log" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

# creator_bundle binds the dirs that exist, so the first fresh set is made before it.
fresh_raw_build
mapfile -t PROCESS_ENV < <(jq -r '.process.env[]' "$BENCH_DIR/locald-creator-config.json")
creator_bundle "$RAW/bundle" "$RAW/root/m" "$RAW/dirs" "$CNB_UID" "$CNB_GID" "$TARGET" "${PROCESS_ENV[@]}"
raw_run >/dev/null # warms the hand-made cache (the previous image is the cold build's)
echo "hand-made run: same image as locald's: $(grep -q "$(jq -r .digest "$BENCH_DIR/cold.json")" \
  "$RAW/dirs/layers/report.toml" && echo yes || echo NO)"

# --- measured rounds ---------------------------------------------------------------------------------------------
: >"$BENCH_DIR/results.tsv"
for i in $(seq 1 "$RUNS"); do
  l=$(python3 "$CLIENT" "$LOCALD" "$BUILDER" "$TARGET" "$BENCH_DIR/app.tar")
  d=$(raw_run)
  jq -r --arg d "$d" '[.total_ms, .creator_ms, ($d | tonumber), .upload_ms, .queued_ms, .before_ms, .after_ms, .seen_ms]
    | @tsv' <<<"$l" >>"$BENCH_DIR/results.tsv"
  printf 'run %d: locald %s ms (creator %s ms), hand-made runc %s ms\n' "$i" \
    "$(jq -r .total_ms <<<"$l")" "$(jq -r .creator_ms <<<"$l")" "$d"
done
echo "load after: $(uptime)"

python3 - "$BENCH_DIR/results.tsv" <<'EOF'
import math, statistics, sys
rows = [list(map(float, line.split("\t"))) for line in open(sys.argv[1]) if line.strip()]
a = [r[0] for r in rows]; b = [r[1] for r in rows]; c = [r[0] - r[1] for r in rows]; d = [r[2] for r in rows]
p90 = lambda v: sorted(v)[math.ceil(0.9 * len(v)) - 1]  # nearest rank: the maximum for n < 10
print()
print("| n=%d | median | p90 | min | max |" % len(rows))
print("|---|---|---|---|---|")
for name, v in (("(a) locald build, POST to terminal state", a),
                ("(b) creator phase as locald records it", b),
                ("(c) locald's own share, a − b", c),
                ("(d) hand-made `runc run` of the creator", d)):
    print("| %s | %.0f ms | %.0f ms | %.0f ms | %.0f ms |" % (name, statistics.median(v), p90(v), min(v), max(v)))
print()
parts = ("upload", "queued", "before the creator", "around the creator (rootfs assembly, teardown, report)", "seen")
print("(c) by the record's timestamps, medians: " + ", ".join(
    "%s %.0f ms" % (name, statistics.median(r[3 + k] for r in rows)) for k, name in enumerate(parts)))
print("a/d (medians): %.2f×; b − d (medians, locald's container overhead): %.0f ms"
      % (statistics.median(a) / statistics.median(d), statistics.median(b) - statistics.median(d)))
EOF
