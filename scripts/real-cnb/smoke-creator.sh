#!/usr/bin/env bash
# Smoke test / benchmark baseline: the real lifecycle's creator, run directly under a hand-made runc bundle
# (no locald involved), builds a Procfile-only app with the builder publish.sh pushed and publishes it.
# Usage: smoke-creator.sh 127.0.0.1:PORT [uid]   (uid 1000 or 1001: which builder; needs root and runc)
# Prints the creator's output, then "app=<ref>@<digest>" and the timings of the export and the creator run.
set -euo pipefail

REG=${1:?usage: smoke-creator.sh <registry host:port> [1000|1001]}
CNB_UID=${2:-1000}
case $CNB_UID in 1000) CNB_GID=1000 ;; 1001) CNB_GID=1002 ;; *) echo "uid must be 1000 or 1001" >&2; exit 2 ;; esac
CACHE=${LOCALD_CNB_CACHE:-$HOME/.cache/locald/cnb}
# shellcheck source=/dev/null
source "$CACHE/tools.env" # written by tools.sh (publish.sh runs it): CRANE=...
# shellcheck source=creator-bundle.sh
source "$(dirname "$0")/creator-bundle.sh"
BUILDER=$REG/real-cnb/builder:$CNB_UID
APP=$REG/demo/app:$CNB_UID
ID=locald-smoke-$$
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/locald-smoke.XXXXXX")
cleanup() { runc delete -f "$ID" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
B=$WORK/bundle
mkdir -p "$B/rootfs" "$WORK/workspace" "$WORK/layers" "$WORK/tmp"

# The builder's flattened filesystem (crane applies whiteouts). Extracted as root, so the ownership pack gave
# /layers and /workspace (the CNB user) and /cnb (root) is kept.
t0=$(now)
# (pack's layers use absolute member names; tar strips the leading / and would say so on every run.)
"$CRANE" --insecure export "$BUILDER" - | tar -x -C "$B/rootfs" 2> >(grep -v "Removing leading" >&2)
t_export=$(since "$t0")

# The app: only a Procfile. workspace/layers owned by the CNB user (non-root creator: the lifecycle checks the
# layers dir is writable by CNB_USER_ID and refuses to chown as non-root); tmp 1777 (the exporter writes tars).
printf 'web: echo hello from procfile\n' >"$WORK/workspace/Procfile"
chown -R "$CNB_UID:$CNB_GID" "$WORK/workspace" "$WORK/layers"
chmod 1777 "$WORK/tmp"

# The bundle: the creator as the CNB user, the builder's env, bind mounts, and no network namespace, so the
# creator reaches the registry on the host's 127.0.0.1 (creator-bundle.sh).
creator_bundle "$B" rootfs "$WORK" "$CNB_UID" "$CNB_GID" "$APP" \
  CNB_PLATFORM_API=0.14 CNB_APP_DIR=/workspace CNB_LAYERS_DIR=/layers CNB_LOG_LEVEL=info \
  "CNB_INSECURE_REGISTRIES=$REG"

t0=$(now)
runc run --bundle "$B" "$ID" </dev/null
t_creator=$(since "$t0")

echo "app=$APP@$("$CRANE" --insecure digest "$APP")"
echo "timings: export ${t_export}s creator ${t_creator}s" >&2
