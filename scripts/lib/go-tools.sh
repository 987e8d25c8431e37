# shellcheck shell=bash
# Go is test tooling only: it builds the real CNB lifecycle, pack and crane from Go modules
# (scripts/real-cnb/tools.sh). Nothing Go builds is committed.

# Puts a Go 1.26+ on PATH when one is installed where the official tarball puts it; prints its version.
find_go() {
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    export PATH=/usr/local/go/bin:$PATH
  fi
  command -v go >/dev/null 2>&1 || return 1
  local v
  v=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
  case "$v" in
    1.2[6-9]*|1.[3-9][0-9]*|[2-9].*) echo "$v" ;;
    *) echo "found go $v, but the real lifecycle needs Go 1.26 or newer" >&2; return 1 ;;
  esac
}
