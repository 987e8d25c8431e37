# shellcheck shell=bash
# The Debian packages locald needs on its host, and an idempotent installer for them.

# runtime: what the service itself calls. dev: plus a local registry and busybox for the fixture
# builders. test: plus umoci and skopeo, the peers the tests compare against, python3-venv for the
# API fuzzer (schemathesis from PyPI, in a venv under ~/.cache/locald), gcc with static glibc for the
# seccomp tests' syscall probe (src/test/resources/dev/locald/runtime/syscall-probe.c), git (git
# http-backend and git daemon serve the git-source tests' repositories); passt (pasta) gives isolated
# builds their network, iproute2 and dnsmasq make the tests' fake internet; uidmap (newuidmap, newgidmap)
# maps an ordinary user's subordinate ids for rootless mode (scripts/lib/rootless.sh).
LOCALD_RUNTIME_PACKAGES=(runc passt uidmap)
LOCALD_DEV_PACKAGES=(runc passt uidmap docker-registry busybox-static curl jq)
LOCALD_TEST_PACKAGES=(runc passt uidmap iproute2 dnsmasq docker-registry busybox-static umoci skopeo curl python3 python3-venv gcc libc6-dev git)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

# ensure_system_packages runtime|dev|test
ensure_system_packages() {
  local wanted
  case "$1" in
    test) wanted=("${LOCALD_TEST_PACKAGES[@]}") ;;
    dev) wanted=("${LOCALD_DEV_PACKAGES[@]}") ;;
    *) wanted=("${LOCALD_RUNTIME_PACKAGES[@]}") ;;
  esac
  # a JDK 17+ when the machine has none (Maven itself comes through ./mvnw, which needs curl)
  if [ "$1" != runtime ]; then
    command -v javac >/dev/null || wanted+=(openjdk-17-jdk-headless)
  fi
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
