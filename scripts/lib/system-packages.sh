# shellcheck shell=bash
# The Debian packages locald needs on its host, and an idempotent installer for them.

# runtime: what the service itself calls. test: what the test suite adds (a real registry, busybox
# for test images, umoci and skopeo for comparisons).
LOCALD_RUNTIME_PACKAGES=(runc)
LOCALD_TEST_PACKAGES=(runc docker-registry busybox-static umoci skopeo)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

# ensure_system_packages runtime|test
ensure_system_packages() {
  local wanted
  if [ "$1" = test ]; then wanted=("${LOCALD_TEST_PACKAGES[@]}"); else wanted=("${LOCALD_RUNTIME_PACKAGES[@]}"); fi
  local missing
  missing=$(missing_packages "${wanted[@]}" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "locald needs these Debian packages: $missing" >&2
    echo "install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing" >&2
    exit 1
  fi
  echo "installing $missing" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
