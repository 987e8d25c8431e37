# shellcheck shell=bash
# Rootless mode (docs/operations.md, "Rootless mode"): an ordinary user runs locald as uid 0 of a user
# namespace that maps the user and their subordinate ids, with its own mount and pid namespaces.

# rootless_preflight: prints the one-time root step and fails when something the user cannot fix is
# missing; run it as the user who will run locald.
rootless_preflight() {
  local user steps=() ids
  user=$(id -un)
  command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
    steps+=("apt-get install -y uidmap")
  ids=$(subordinate_ids /etc/subuid "$user")
  if [ "$ids" -lt 65536 ] || [ "$(subordinate_ids /etc/subgid "$user")" -lt 65536 ]; then
    steps+=("usermod --add-subuids $(free_subordinate_start)-$(($(free_subordinate_start) + 65535)) --add-subgids $(free_subordinate_start)-$(($(free_subordinate_start) + 65535)) $user")
  fi
  if [ -r /proc/sys/kernel/unprivileged_userns_clone ] && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
    steps+=("sysctl -w kernel.unprivileged_userns_clone=1")
  fi
  # pasta opens /dev/net/tun for isolated builds; Debian's udev makes it 0666, some hosts leave it 0600
  if [ ! -r /dev/net/tun ] || [ ! -w /dev/net/tun ]; then
    steps+=("chmod 0666 /dev/net/tun")
  fi
  if [ ${#steps[@]} -gt 0 ]; then
    echo "rootless locald needs a one-time step as root first:" >&2
    printf '  sudo %s\n' "${steps[@]}" >&2
    return 1
  fi
}

# subordinate_ids FILE USER: how many ids FILE grants USER (by name or uid)
subordinate_ids() {
  awk -F: -v u="$2" -v n="$(id -u "$2")" '($1 == u || $1 == n) { total += $3 } END { print total + 0 }' "$1" 2>/dev/null || echo 0
}

# the first 65536-aligned start above every range already granted in /etc/subuid and /etc/subgid
free_subordinate_start() {
  cat /etc/subuid /etc/subgid 2>/dev/null |
    awk -F: 'BEGIN { end = 100000 } { e = $2 + $3; if (e > end) end = e } END { print int((end + 65535) / 65536) * 65536 }'
}

# rootless_prepare sets ROOTLESS_COMMAND, the prefix that runs a command as uid 0 of a new user
# namespace (the user's subordinate ids mapped by newuidmap), with its own mount namespace (overlay, bind
# mounts) and pid namespace: when locald ends, even by SIGKILL, the kernel ends every container, pasta
# and helper it started, and their mounts go with the mount namespace. bash is the namespace's init and
# reaps what is orphaned. Java takes user.home from the passwd entry of uid 0, so it is given the real
# one; java.io.tmpdir (HTTP uploads) is the user's own.
rootless_prepare() {
  # an XDG_RUNTIME_DIR inherited from another user's session (su, runuser) is not ours to write
  local base=${TMPDIR:-/tmp}
  if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] && [ -w "$XDG_RUNTIME_DIR" ]; then
    base=$XDG_RUNTIME_DIR
  fi
  local tmp="$base/locald-$(id -u)"
  if ! mkdir -p "$tmp" || ! chmod 700 "$tmp" || [ ! -O "$tmp" ]; then
    echo "cannot make $tmp, a directory of $(id -un)'s own for locald's temporary files (uploads)" >&2
    exit 1
  fi
  export JAVA_TOOL_OPTIONS="-Duser.home=$HOME -Djava.io.tmpdir=$tmp -XX:-UsePerfData ${JAVA_TOOL_OPTIONS:-}"
  # shellcheck disable=SC2016
  ROOTLESS_COMMAND=(unshare --user --map-auto --map-root-user --mount --pid --fork --mount-proc --kill-child
    bash -c 'trap "kill -TERM \$child 2>/dev/null" TERM INT HUP
      "$@" & child=$!
      while :; do wait $child; st=$?; kill -0 $child 2>/dev/null || exit $st; done' locald)
}
