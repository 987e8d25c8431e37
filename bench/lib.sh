# shellcheck shell=bash
# Shared pieces of the benchmark scripts: a registry on loopback and the builder-sized test image.

BENCH_DIR=${BENCH_DIR:-/var/tmp/locald-bench}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need() {
  local missing=()
  for c in "$@"; do command -v "$c" >/dev/null || missing+=("$c"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing commands: ${missing[*]} (apt-get install -y debootstrap skopeo umoci hyperfine docker-registry pigz)" >&2
    exit 1
  fi
}

# start_registry PORT: a throwaway distribution registry on 127.0.0.1:PORT with storage in $BENCH_DIR.
start_registry() {
  local port=$1
  mkdir -p "$BENCH_DIR/registry"
  cat > "$BENCH_DIR/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $BENCH_DIR/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port, secret: bench}
YML
  docker-registry serve "$BENCH_DIR/registry.yml" > "$BENCH_DIR/registry.log" 2>&1 &
  REGISTRY_PID=$!
  trap 'kill $REGISTRY_PID 2>/dev/null; wait $REGISTRY_PID 2>/dev/null || true' EXIT
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; do sleep 0.05; done
}

# builder_image REF: pushes a builder-sized image (debootstrap minbase + ~100 MB of data, 3 layers) to REF.
builder_image() {
  local ref=$1
  if [ ! -d "$BENCH_DIR/rootfs/usr" ]; then
    echo "debootstrap --variant=minbase bookworm (about a minute, once)" >&2
    debootstrap --variant=minbase bookworm "$BENCH_DIR/rootfs" http://deb.debian.org/debian >"$BENCH_DIR/debootstrap.log" 2>&1
  fi
  if [ ! -d "$BENCH_DIR/rootfs/var/lib/benchdata" ]; then
    # half random (incompressible), half copies of real libraries, 1–200 KB each, as the baselines used
    mkdir -p "$BENCH_DIR/rootfs/var/lib/benchdata"
    local i=0
    for f in $(find "$BENCH_DIR/rootfs/usr/lib" -type f -size -200k -size +1k | head -1240); do
      cp "$f" "$BENCH_DIR/rootfs/var/lib/benchdata/lib-$i"; i=$((i+1))
    done
    for i in $(seq 1 690); do
      head -c $(( (RANDOM % 100 + 10) * 1024 )) /dev/urandom > "$BENCH_DIR/rootfs/var/lib/benchdata/rand-$i"
    done
  fi
  if [ ! -f "$BENCH_DIR/oci-src/index.json" ]; then
    local t="$BENCH_DIR/tars"; mkdir -p "$t"
    tar -C "$BENCH_DIR/rootfs" --numeric-owner --sort=name -cf "$t/l1.tar" --anchored --exclude=./usr/share --exclude=./var .
    tar -C "$BENCH_DIR/rootfs" --numeric-owner --sort=name -cf "$t/l2.tar" ./usr/share
    tar -C "$BENCH_DIR/rootfs" --numeric-owner --sort=name -cf "$t/l3.tar" ./var
    umoci init --layout "$BENCH_DIR/oci-src"
    umoci new --image "$BENCH_DIR/oci-src:1"
    for l in l1 l2 l3; do umoci raw add-layer --image "$BENCH_DIR/oci-src:1" "$t/$l.tar"; done
    umoci config --image "$BENCH_DIR/oci-src:1" --config.cmd /bin/sh --architecture amd64 --os linux
    rm -rf "$t"
  fi
  skopeo copy -q --dest-tls-verify=false "oci:$BENCH_DIR/oci-src:1" "docker://$ref"
}

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
