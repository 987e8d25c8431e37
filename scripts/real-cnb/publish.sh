#!/usr/bin/env bash
# Publishes the real-CNB test images to a plain-HTTP registry on loopback, without a Docker daemon:
# base build/run images for CNB users 1000:1000 and 1001:1002, a lifecycle image, and two pack-made builders.
# Usage: publish.sh 127.0.0.1:PORT
# stdout: only "key=<ref>@<digest>" lines (one per image, for the Java tests); progress goes to stderr.
# Idempotent: re-running re-pushes the same tags, with the same digests (fixed tar mtimes; pack normalises too).
set -euo pipefail

REG=${1:?usage: publish.sh <registry host:port, e.g. 127.0.0.1:5000>}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LOCALD_CNB_CACHE:-$HOME/.cache/locald/cnb}
START=$(date +%s.%N)

"$HERE/tools.sh" >&2
# shellcheck source=/dev/null
source "$CACHE/tools.env" # LIFECYCLE_VERSION LIFECYCLE_DIR LIFECYCLE_TGZ PACK CRANE ROOTFS BUILDPACKS
LC=$LIFECYCLE_DIR

WORK=$(mktemp -d "${TMPDIR:-/tmp}/locald-publish.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# pack writes PACK_HOME (config, downloaded-blob cache) and reads DOCKER_CONFIG for credentials: keep both
# away from $HOME. The registry needs no auth; an empty config.json keeps ggcr's keychain quiet.
export PACK_HOME=$WORK/pack-home DOCKER_CONFIG=$WORK/docker
mkdir -p "$PACK_HOME" "$DOCKER_CONFIG" && echo '{}' >"$DOCKER_CONFIG/config.json"
# crane: --insecure allows plain HTTP (ggcr already assumes it for 127.0.0.1 / localhost, but not for other names).
crane() { "$CRANE" --insecure "$@"; }

# Reproducible-ish tars: numeric ownership, fixed mtime, sorted entries.
TAR=(tar --numeric-owner --sort=name --mtime=@0 --format=gnu)
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- base images -----------------------------------------------------------------------------------------------
"${TAR[@]}" --owner=0 --group=0 -C "$ROOTFS" -cf "$WORK/base.tar" .

# Layer with /etc/passwd, /etc/group (root-owned) and the user's home (owned by the user).
user_layer() {
  local uid=$1 gid=$2 d=$WORK/user-$1
  mkdir -p "$d/etc" "$d/home/cnb"
  printf 'root:x:0:0:root:/root:/bin/sh\ncnb:x:%s:%s:cnb:/home/cnb:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    "$uid" "$gid" >"$d/etc/passwd"
  printf 'root:x:0:\ncnb:x:%s:\nnogroup:x:65534:\n' "$gid" >"$d/etc/group"
  "${TAR[@]}" --owner=0 --group=0 -C "$d" -cf "$d.tar" etc --no-recursion home
  "${TAR[@]}" --owner="$uid" --group="$gid" -C "$d" -rf "$d.tar" home/cnb
  echo "$d.tar"
}

# base_image REF UID GID ROLE: the rootfs plus the user layer, linux/amd64, User uid:gid, CNB ids in env.
# Build and run images have the same content; the role label keeps them distinct images (distinct digests).
base_image() {
  local ref=$1 uid=$2 gid=$3 role=$4 layer
  layer=$(user_layer "$uid" "$gid")
  crane append --oci-empty-base=false -f "$WORK/base.tar" -f "$layer" -t "$ref" >/dev/null
  crane mutate "$ref" --set-platform linux/amd64 --user "$uid:$gid" \
    --env "$PATH_ENV" --env "CNB_USER_ID=$uid" --env "CNB_GROUP_ID=$gid" \
    --label io.buildpacks.base.distro.name=debian --label io.buildpacks.base.distro.version=12 \
    --label io.buildpacks.base.maintainer=locald --label "dev.locald.real-cnb.role=$role" -t "$ref" >/dev/null
  echo "pushed $ref" >&2
}

for ids in 1000:1000 1001:1002; do
  uid=${ids%:*} gid=${ids#*:}
  base_image "$REG/real-cnb/build:$uid" "$uid" "$gid" build
  base_image "$REG/real-cnb/run:$uid" "$uid" "$gid" run
done

# --- lifecycle image -------------------------------------------------------------------------------------------
# Like buildpacksio/lifecycle (lifecycle's tools/image): /cnb/lifecycle root-owned, the APIs label from
# lifecycle.toml, WorkingDir /layers; but on an empty base instead of distroless.
mkdir -p "$WORK/lc/cnb" && cp -a "$LC/lifecycle" "$WORK/lc/cnb/lifecycle"
"${TAR[@]}" --owner=0 --group=0 -C "$WORK/lc" -cf "$WORK/lifecycle.tar" cnb
# lifecycle.toml's arrays are TOML string arrays, which are also JSON arrays.
toml_array() { sed -n "/^\[apis\.$1\]/,/^\[/p" "$LC/lifecycle.toml" | sed -n "s/^ *$2 *= *\(\[.*\]\).*/\1/p"; }
apis=$(printf '{"buildpack":{"deprecated":%s,"supported":%s},"platform":{"deprecated":%s,"supported":%s}}' \
  "$(toml_array buildpack deprecated)" "$(toml_array buildpack supported)" \
  "$(toml_array platform deprecated)" "$(toml_array platform supported)" | tr -d ' ')
LREF=$REG/real-cnb/lifecycle:$LIFECYCLE_VERSION
crane append -f "$WORK/lifecycle.tar" -t "$LREF" >/dev/null
crane mutate "$LREF" --set-platform linux/amd64 --workdir /layers \
  --label "io.buildpacks.lifecycle.apis=$apis" --label "io.buildpacks.lifecycle.version=$LIFECYCLE_VERSION" \
  --label "io.buildpacks.builder.metadata={\"lifecycle\":{\"version\":\"$LIFECYCLE_VERSION\"},\"api\":{\"buildpack\":\"0.7\",\"platform\":\"0.7\"}}" \
  -t "$LREF" >/dev/null
echo "pushed $LREF" >&2
# also where a locald.lifecycle.image of <registry>/buildpacksio/lifecycle:{version} finds it (dev mode)
crane copy "$LREF" "$REG/buildpacksio/lifecycle:$LIFECYCLE_VERSION" >/dev/null

# --- builders --------------------------------------------------------------------------------------------------
# Buildpack dirs tools.sh managed to build (the paketo ones may be refused by a filtering module proxy).
bp_dir() { local d; for d in "$BUILDPACKS/${1//\//_}"/*/; do [[ -f $d/.done ]] && { echo "${d}bp"; return; }; done; return 1; }
bp_version() { basename "$(dirname "$1")"; }

builder_toml() {
  local uid=$1 f=$WORK/builder-$1.toml id dir opt
  {
    echo "description = \"locald real-CNB test builder (CNB user $uid)\""
    printf '\n[lifecycle]\n  uri = "%s"\n' "$LIFECYCLE_TGZ"
    printf '\n[build]\n  image = "%s"\n' "$REG/real-cnb/build:$uid"
    printf '\n[[run.images]]\n  image = "%s"\n' "$REG/real-cnb/run:$uid"
    # Order: certificates first (they may feed later buildpacks), then the Procfile (required: the only one
    # that makes a bare Procfile app detect), then the optional decorators, source removal last. Where the
    # module proxy refuses a Paketo buildpack, the stand-in of the same job under buildpacks/ takes its place.
    local order=("locald/fail:fail:true" "paketo-buildpacks/ca-certificates::true"
      "paketo-buildpacks/procfile:procfile:false" "paketo-buildpacks/environment-variables:env-vars:true"
      "paketo-buildpacks/image-labels:image-labels:true" "paketo-buildpacks/source-removal::true")
    local group="" standin
    for entry in "${order[@]}"; do
      IFS=: read -r id standin opt <<<"$entry"
      if dir=$(bp_dir "$id"); then version=$(bp_version "$dir")
      elif [[ -n $standin ]]; then
        dir=$HERE/buildpacks/$standin
        id=$(sed -n 's/^ *id = "\(.*\)"/\1/p' "$dir/buildpack.toml")
        version=$(sed -n 's/^ *version = "\(.*\)"/\1/p' "$dir/buildpack.toml")
        echo "builder $uid: $entry -> stand-in $id" >&2
      else continue; fi
      printf '\n[[buildpacks]]\n  uri = "%s"\n' "$dir"
      group+=$(printf '\n  [[order.group]]\n    id = "%s"\n    version = "%s"\n    optional = %s\n' "$id" "$version" "$opt")
    done
    printf '\n[[order]]%s\n' "$group"
    # A system buildpack (/cnb/system.toml): the lifecycle adds it to every group at platform API 0.15.
    dir=$HERE/buildpacks/exec-env
    printf '\n[[buildpacks]]\n  uri = "%s"\n' "$dir"
    printf '\n[[system.post.buildpacks]]\n  id = "locald/exec-env"\n  version = "0.1.0"\n  optional = true\n'
  } >"$f"
  echo "$f"
}

for uid in 1000 1001; do
  ref=$REG/real-cnb/builder:$uid
  # --publish keeps pack off the daemon: build image, run image and buildpacks are fetched remotely and the
  # builder is saved straight to the registry. builder create has no --insecure-registry flag; plain HTTP
  # works because ggcr treats 127.0.0.1:* and localhost:* as HTTP-capable.
  "$PACK" builder create "$ref" --config "$(builder_toml "$uid")" --publish --pull-policy always \
    --no-color --timestamps >&2
  echo "pushed $ref" >&2
done

# --- summary ---------------------------------------------------------------------------------------------------
for pair in build-1000:build:1000 run-1000:run:1000 build-1001:build:1001 run-1001:run:1001 \
  "lifecycle:lifecycle:$LIFECYCLE_VERSION" builder-1000:builder:1000 builder-1001:builder:1001; do
  key=${pair%%:*} ref=$REG/real-cnb/${pair#*:}
  echo "$key=$ref@$(crane digest "$ref")"
done
awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { printf "publish.sh total %.1fs\n", b - a }' >&2
