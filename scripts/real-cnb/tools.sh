#!/usr/bin/env bash
# Builds the real CNB tooling locald's "real buildpacks" tests use, from Go modules and Debian packages only
# (no GitHub downloads, no Docker Hub, no daemon): the lifecycle + its release tgz, Paketo buildpacks, pack,
# crane and a busybox/bash base root filesystem. Everything lands in a cache reused across runs, one
# directory per item and version, with a .done marker: a warm run takes seconds, a half-finished item is redone.
# Usage: tools.sh            (prints one line per item, then the total; LOCALD_CNB_CACHE overrides the cache dir)
set -euo pipefail

CACHE=${LOCALD_CNB_CACHE:-$HOME/.cache/locald/cnb}
LIFECYCLE_VERSION=0.21.17
PACK_VERSION=0.40.6
CRANE_VERSION=0.21.9 # the go-containerregistry the lifecycle itself pins; pack 0.40.6 pins 0.21.5, same API
# id|Go module|version
PAKETO=(
  "paketo-buildpacks/procfile|github.com/paketo-buildpacks/procfile/v5|5.13.6"
  "paketo-buildpacks/environment-variables|github.com/paketo-buildpacks/environment-variables/v4|4.11.6"
  "paketo-buildpacks/image-labels|github.com/paketo-buildpacks/image-labels/v4|4.10.3"
  "paketo-buildpacks/ca-certificates|github.com/paketo-buildpacks/ca-certificates/v3|3.12.5"
  "paketo-buildpacks/source-removal|github.com/paketo-buildpacks/source-removal|1.0.38"
)
DEBS=(busybox-static bash-static base-files ca-certificates)

# Static binaries (the lifecycle runs in busybox roots: a cgo build would need glibc's ld.so there), reproducible
# paths, and Go's module/build caches inside CACHE so deleting CACHE really means a cold run.
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS="-trimpath -buildvcs=false"
export GOMODCACHE=$CACHE/gomod GOCACHE=$CACHE/gocache GOTOOLCHAIN=${GOTOOLCHAIN:-local}
mkdir -p "$CACHE"
START=$(date +%s.%N)

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# item NAME DIR FUNC: runs FUNC DIR.tmp unless DIR/.done exists, then renames it to DIR (atomic enough here).
item() {
  local name=$1 dir=$2 fn=$3 t0
  t0=$(date +%s.%N)
  if [[ -f $dir/.done ]]; then
    printf '%-45s cached  %5ss  %s\n' "$name" "$(elapsed "$t0")" "$dir"
    return 0
  fi
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp"
  # Subshell outside any `if`, so errexit stays in force inside FN (bash ignores -e in tested commands).
  local rc=0
  set +e
  (set -e; "$fn" "$dir.tmp")
  rc=$?
  set -e
  if [[ $rc == 0 ]]; then
    touch "$dir.tmp/.done"
    mv "$dir.tmp" "$dir"
    printf '%-45s built   %5ss  %s\n' "$name" "$(elapsed "$t0")" "$dir"
  else
    rm -rf "$dir.tmp"
    printf '%-45s FAILED  %5ss\n' "$name" "$(elapsed "$t0")"
    return 1
  fi
}

# Source dir of MODULE@vVERSION in GOMODCACHE. `go install m@v` is not used: it reads the module's @v/list
# for deprecations, and a filtering proxy (this project's machines) answers 403 to every list request.
moddir() { go mod download -json "$1@v$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }

# --- lifecycle -------------------------------------------------------------------------------------------------
build_lifecycle() {
  local out=$1 mod src=$1/src
  mod=$(moddir github.com/buildpacks/lifecycle "$LIFECYCLE_VERSION")
  # A writable copy: the extender's kaniko dependency (github.com/osscontainertools/kaniko) may be refused by the
  # module proxy. Then we stub the kaniko Dockerfile applier (extensions unsupported; nothing else changes).
  cp -r "$mod" "$src" && chmod -R u+w "$src"
  if ! (cd "$src" && go mod download github.com/osscontainertools/kaniko >/dev/null 2>&1); then
    echo "  lifecycle: kaniko unavailable from the module proxy, stubbing the extender" >&2
    stub_kaniko "$src/internal/extend/kaniko"
  fi
  mkdir -p "$out/lifecycle"
  # Same flags as the lifecycle Makefile (minus SCM info): -s -w and the version, so `lifecycle -version` and the
  # app image's launcher metadata say 0.21.17 instead of 0.0.0.
  (cd "$src" && go build -o "$out/lifecycle/" \
    -ldflags="-s -w -X github.com/buildpacks/lifecycle/cmd.Version=$LIFECYCLE_VERSION" ./cmd/lifecycle ./cmd/launcher)
  for p in detector analyzer restorer builder exporter rebaser creator extender; do ln -sf lifecycle "$out/lifecycle/$p"; done
  # The release tgz (what pack's [lifecycle] uri wants) from the lifecycle's own packager; absolute paths
  # because the packager changes directory.
  (cd "$src" && go build -o "$out/packager" ./tools/packager)
  "$out/packager" -inputDir "$out/lifecycle" -archivePath "$out/lifecycle-v$LIFECYCLE_VERSION+linux.x86-64.tgz" \
    -descriptorPath "$src/lifecycle.toml" -version "$LIFECYCLE_VERSION"
  tar -xzf "$out/lifecycle-v$LIFECYCLE_VERSION+linux.x86-64.tgz" -C "$out" lifecycle.toml
  rm -rf "$src" "$out/packager"
}

stub_kaniko() {
  local d=$1
  sed -i -e '/containerd\/containerd\/platforms"/d' -e '/osscontainertools\/kaniko/d' \
    -e '/^func createOptions/,/^}/d' "$d/dockerfile_applier.go"
  cat >"$d/dockerfile_applier_linux.go" <<'EOF'
//go:build linux

package kaniko

import (
	"errors"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildpacks/lifecycle/internal/extend"
	"github.com/buildpacks/lifecycle/log"
)

// Stub written by locald's scripts/real-cnb/tools.sh: kaniko could not be fetched, so no Dockerfile extensions.
func (a *DockerfileApplier) Apply(dockerfile extend.Dockerfile, toBaseImage v1.Image, withBuildOptions extend.Options, logger log.Logger) (v1.Image, error) {
	return nil, errors.New("this lifecycle was built without kaniko: Dockerfile extensions are unsupported")
}
EOF
}

# --- pack and crane --------------------------------------------------------------------------------------------
# pack's go.mod has a replace (BurntSushi/toml), so `go install` refuses it. Building inside pack's own module
# dir makes pack the main module: its replace and go.sum apply exactly as in a release build.
build_pack() {
  local mod
  mod=$(moddir github.com/buildpacks/pack "$PACK_VERSION")
  (cd "$mod" && go build -o "$1/pack" -ldflags="-s -w -X github.com/buildpacks/pack/pkg/client.Version=$PACK_VERSION" .)
}

build_crane() {
  local mod
  mod=$(moddir github.com/google/go-containerregistry "$CRANE_VERSION")
  (cd "$mod" && go build -o "$1/crane" -ldflags="-s -w" ./cmd/crane)
}

# --- Paketo buildpacks -----------------------------------------------------------------------------------------
# Each lands in buildpacks/<id with _>/<version>/bp (pack copies that dir whole into the builder), flattened
# like the released buildpackage layer: buildpack.toml with the version filled in, bin/ at the root.
# libpak buildpacks ship cmd/main as bin/main (+ cmd/helper as bin/helper, ca-certificates' exec.d helper) with
# bin/build and bin/detect linked to main (their scripts/build.sh); packit ones (source-removal) ship run/ as
# bin/run with build/detect linked to it (jam pack).
build_paketo() {
  local out=$1/bp mod=$PAKETO_MOD ver=$PAKETO_VER dir
  dir=$(moddir "$mod" "$ver" 2>/dev/null) || return 1
  [[ -n $dir ]] || return 1
  mkdir -p "$out/bin"
  if [[ -d $dir/cmd/main ]]; then
    (cd "$dir" && go build -ldflags="-s -w" -o "$out/bin/main" ./cmd/main)
    ln -s main "$out/bin/build" && ln -s main "$out/bin/detect"
    if [[ -d $dir/cmd/helper ]]; then (cd "$dir" && go build -ldflags="-s -w" -o "$out/bin/helper" ./cmd/helper); fi
  elif [[ -d $dir/run ]]; then
    (cd "$dir" && go build -ldflags="-s -w" -o "$out/bin/run" ./run)
    ln -s run "$out/bin/build" && ln -s run "$out/bin/detect"
  else
    (cd "$dir" && go build -ldflags="-s -w" -o "$out/bin/build" ./cmd/build && go build -ldflags="-s -w" -o "$out/bin/detect" ./cmd/detect)
  fi
  # The repos' buildpack.toml carries version = "{{.version}}" (filled in by their release pipeline).
  sed "s/{{ *\.version *}}/$ver/g" "$dir/buildpack.toml" >"$out/buildpack.toml"
  chmod -R u+w "$out"
}

# --- base root filesystem --------------------------------------------------------------------------------------
# busybox-static + bash-static + base-files (/etc/os-release) + ca-certificates, unpacked with dpkg-deb (no
# maintainer scripts, no root). /etc/passwd and /etc/group are left to publish.sh (they depend on the CNB user).
build_rootfs() {
  local out=$1 root=$1/rootfs debs=$1/debs f
  mkdir -p "$root" "$debs"
  if ! (cd "$debs" && apt-get download "${DEBS[@]}" >/dev/null 2>&1); then
    apt-get update >/dev/null
    (cd "$debs" && apt-get download "${DEBS[@]}" >/dev/null)
  fi
  for f in "$debs"/*.deb; do dpkg-deb -x "$f" "$root"; done
  mkdir -p "$root/bin" "$root/tmp" "$root/etc/ssl/certs" "$root/root" "$root/home"
  # `busybox --install -s /bin` would need to run inside the root; the same links made from the host:
  "$root/bin/busybox" --list | while read -r applet; do
    [[ -e $root/bin/$applet || -L $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
  done
  # The launcher runs non-direct (Procfile) processes through bash.
  ln -sf bash-static "$root/bin/bash"
  # update-ca-certificates' result, without running it: the bundle is the concatenation of the shipped certs.
  find "$root/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat >"$root/etc/ssl/certs/ca-certificates.crt"
  chmod 1777 "$root/tmp"
  rm -rf "$debs" "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian"
}

# --- run -------------------------------------------------------------------------------------------------------
item "lifecycle $LIFECYCLE_VERSION" "$CACHE/lifecycle/$LIFECYCLE_VERSION" build_lifecycle
item "pack $PACK_VERSION" "$CACHE/pack/$PACK_VERSION" build_pack
item "crane $CRANE_VERSION" "$CACHE/crane/$CRANE_VERSION" build_crane
# One `go mod download` for the paketo modules not built yet (one process, parallel fetches): the proxy on this
# project's machines answers 403 for them, and probing them one by one made warm runs slow under load. Missing
# ones are not fatal (publish.sh then uses a stand-in from buildpacks/) and are not remembered, so a proxy that serves
# them later is picked up.
want=()
for entry in "${PAKETO[@]}"; do
  IFS='|' read -r id mod ver <<<"$entry"
  [[ -f $CACHE/buildpacks/${id//\//_}/$ver/.done ]] || want+=("$mod@v$ver")
done
fetched=""
if ((${#want[@]})); then fetched=$(go mod download -json "${want[@]}" 2>/dev/null | grep '"Dir"' || true); fi
for entry in "${PAKETO[@]}"; do
  IFS='|' read -r id PAKETO_MOD PAKETO_VER <<<"$entry"
  dir=$CACHE/buildpacks/${id//\//_}/$PAKETO_VER
  if [[ -f $dir/.done || $fetched == *"/$PAKETO_MOD@v$PAKETO_VER\""* ]]; then
    item "$id $PAKETO_VER" "$dir" build_paketo
  else
    printf '%-45s unavailable (GOPROXY=%s refuses %s@v%s)\n' "$id $PAKETO_VER" "$(go env GOPROXY)" "$PAKETO_MOD" "$PAKETO_VER"
  fi
done
# Keyed by the package versions apt would fetch, so a Debian point release rebuilds the root.
debkey=$(apt-cache policy "${DEBS[@]}" | awk '/Candidate:/ { print $2 }' | tr '\n:~+' '____' | md5sum | cut -c1-12)
item "base rootfs (${DEBS[*]})" "$CACHE/rootfs/$debkey" build_rootfs
# Paths for publish.sh / smoke-creator.sh (and the Java tests), so versions live in this file only.
cat >"$CACHE/tools.env" <<EOF
LIFECYCLE_VERSION=$LIFECYCLE_VERSION
LIFECYCLE_DIR=$CACHE/lifecycle/$LIFECYCLE_VERSION
LIFECYCLE_TGZ=$CACHE/lifecycle/$LIFECYCLE_VERSION/lifecycle-v$LIFECYCLE_VERSION+linux.x86-64.tgz
PACK=$CACHE/pack/$PACK_VERSION/pack
CRANE=$CACHE/crane/$CRANE_VERSION/crane
ROOTFS=$CACHE/rootfs/$debkey/rootfs
BUILDPACKS=$CACHE/buildpacks
EOF
printf '%-45s total   %5ss\n' "tools.sh" "$(elapsed "$START")"
