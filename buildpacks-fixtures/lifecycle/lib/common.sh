# common.sh - what every fixture phase shares: logging, exit codes, Platform API check, flag parsing
# and the flag > env > default resolution of settings (contract §2.1, §2.3).
# POSIX sh / busybox ash. Sourced by /cnb/lifecycle/lifecycle.

SUPPORTED_PLATFORM_APIS="0.12 0.13 0.14"
LIFECYCLE_VERSION="0.0.1-fixture"

# Exit codes of the real lifecycle (cmd/exit.go, platform/exit.go).
EXIT_FAILED=1
EXIT_FLAGS=2
EXIT_ARGS=3
EXIT_PLATFORM_API=11
EXIT_BUILDPACK_API=12
EXIT_DETECT_FAIL=20
EXIT_DETECT_ERROR=21
EXIT_DETECT_OTHER=22
EXIT_ANALYZE=32
EXIT_RESTORE=42
EXIT_BUILD_FAIL=51
EXIT_BUILD_OTHER=52
EXIT_EXPORT=62

# Info to stdout, warnings and errors to stderr, as the real lifecycle logs.
info() { printf '%s\n' "$*"; }
debug() { [ "$LOG_LEVEL" = debug ] && printf '%s\n' "$*"; return 0; }
warn() { printf 'Warning: %s\n' "$*" >&2; }
fail() { # fail CODE MESSAGE...
  _code=$1; shift
  printf 'ERROR: %s\n' "$*" >&2
  exit "$_code"
}

# Platform API: mandatory since lifecycle 0.18 (empty default), exit 11 otherwise.
check_platform_api() {
  if [ -z "$CNB_PLATFORM_API" ]; then
    fail $EXIT_PLATFORM_API "please set CNB_PLATFORM_API"
  fi
  for _a in $SUPPORTED_PLATFORM_APIS; do
    [ "$_a" = "$CNB_PLATFORM_API" ] && { API=$CNB_PLATFORM_API; return 0; }
  done
  fail $EXIT_PLATFORM_API "platform API version '$CNB_PLATFORM_API' is incompatible with the lifecycle" \
    "(supported: $SUPPORTED_PLATFORM_APIS)"
}

# api_at_least X.Y: compares the minor part only; every supported API is 0.x.
api_at_least() {
  [ "${API#0.}" -ge "${1#0.}" ]
}

# Flag parsing with Go `flag` semantics: -name value, -name=value, --name; booleans only as -b or
# -b=true; parsing stops at the first non-flag or at "--"; an unknown flag prints usage and exits 2.
# FLAG_SPEC is a space separated list of name:kind, kind v (value), b (bool), m (repeatable value).
# Results: F_<name with - as _> variables, F_SET_<name>=1 when given, POSITIONAL (newline list) and
# the remaining args re-set by the caller via `eval set -- $POSITIONAL_Q`.
usage() {
  printf 'Usage of %s:\n' "$PHASE" >&2
  for _s in $FLAG_SPEC; do printf '  -%s\n' "${_s%%:*}" >&2; done
}

flag_kind() { # flag_kind NAME -> kind or empty
  for _s in $FLAG_SPEC; do
    [ "${_s%%:*}" = "$1" ] && { printf '%s' "${_s#*:}"; return 0; }
  done
  return 1
}

parse_flags() {
  POSITIONAL_Q=
  while [ $# -gt 0 ]; do
    case $1 in
      --) shift; break ;;
      -|[!-]*) break ;;
      -*)
        _arg=${1#-}; _arg=${_arg#-}
        case $_arg in
          *=*) _name=${_arg%%=*}; _val=${_arg#*=}; _hasval=1 ;;
          *) _name=$_arg; _val=; _hasval=0 ;;
        esac
        if [ "$_name" = version ]; then
          printf '%s\n' "$LIFECYCLE_VERSION"; exit 0
        fi
        _kind=$(flag_kind "$_name") || {
          printf 'flag provided but not defined: -%s\n' "$_name" >&2
          usage; exit $EXIT_FLAGS
        }
        _var=$(printf '%s' "$_name" | tr '-' '_')
        case $_kind in
          b)
            if [ $_hasval = 0 ]; then _val=true; fi
            case $_val in
              1|t|T|true|TRUE|True) _val=true ;;
              0|f|F|false|FALSE|False) _val=false ;;
              *) printf 'invalid boolean value "%s" for -%s\n' "$_val" "$_name" >&2; usage; exit $EXIT_FLAGS ;;
            esac
            eval "F_$_var=\$_val" ;;
          v|m)
            if [ $_hasval = 0 ]; then
              [ $# -ge 2 ] || { printf 'flag needs an argument: -%s\n' "$_name" >&2; usage; exit $EXIT_FLAGS; }
              shift; _val=$1
            fi
            if [ "$_kind" = m ]; then
              eval "F_$_var=\"\${F_$_var:+\$F_$_var
}\$_val\""
            else
              eval "F_$_var=\$_val"
            fi ;;
        esac
        eval "F_SET_$_var=1"
        shift ;;
    esac
  done
  for _p in "$@"; do
    case $_p in -*) warn "unparsed flag after positional arguments: $_p" ;; esac
    POSITIONAL_Q="$POSITIONAL_Q '$(printf '%s' "$_p" | sed "s/'/'\\\\''/g")'"
  done
}

# setting NAME FLAG ENV DEFAULT: flag > env > default, stored in variable NAME.
setting() {
  _fv=$(printf '%s' "$2" | tr '-' '_')
  eval "_set=\${F_SET_$_fv:-}"
  if [ -n "$_set" ]; then eval "$1=\$F_$_fv"
  else
    _ev=
    [ -n "$3" ] && eval "_ev=\${$3:-}"
    if [ -n "$_ev" ]; then eval "$1=\$_ev"; else eval "$1=\$4"; fi
  fi
}

# Booleans from env use Go's strconv.ParseBool; anything else is false.
is_true() {
  case $1 in 1|t|T|true|TRUE|True) return 0 ;; *) return 1 ;; esac
}

# Settings every phase resolves the same way (contract §2.3).
resolve_common() {
  setting LOG_LEVEL log-level CNB_LOG_LEVEL info
  setting LAYERS layers CNB_LAYERS_DIR /layers
  setting APP app CNB_APP_DIR /workspace
  setting PLATFORM platform CNB_PLATFORM_DIR /platform
  setting BUILDPACKS buildpacks CNB_BUILDPACKS_DIR /cnb/buildpacks
  setting ANALYZED analyzed CNB_ANALYZED_PATH "$LAYERS/analyzed.toml"
  setting GROUP group CNB_GROUP_PATH "$LAYERS/group.toml"
  setting PLAN plan CNB_PLAN_PATH "$LAYERS/plan.toml"
  setting REPORT report CNB_REPORT_PATH "$LAYERS/report.toml"
  setting RUN_PATH run CNB_RUN_PATH /cnb/run.toml
  setting PROJECT_METADATA project-metadata CNB_PROJECT_METADATA_PATH "$LAYERS/project-metadata.toml"
  setting CACHE_DIR cache-dir CNB_CACHE_DIR ""
  setting CACHE_IMAGE cache-image CNB_CACHE_IMAGE ""
  setting USER_ID uid CNB_USER_ID 0
  setting GROUP_ID gid CNB_GROUP_ID 0
  # Atoi semantics: a missing or invalid id becomes 0.
  case $USER_ID in ''|*[!0-9]*) USER_ID=0 ;; esac
  case $GROUP_ID in ''|*[!0-9]*) GROUP_ID=0 ;; esac
  # order.toml: <layers>/order.toml when it exists, else /cnb/order.toml.
  if [ -n "${F_SET_order:-}" ]; then ORDER=$F_order
  elif [ -n "${CNB_ORDER_PATH:-}" ]; then ORDER=$CNB_ORDER_PATH
  elif [ -f "$LAYERS/order.toml" ]; then ORDER=$LAYERS/order.toml
  else ORDER=/cnb/order.toml; fi
  INSECURE_REGISTRIES=$(printf '%s' "${CNB_INSECURE_REGISTRIES:-}" | tr ',' '\n')
  if [ -n "${F_insecure_registry:-}" ]; then
    INSECURE_REGISTRIES=$(printf '%s\n%s' "$INSECURE_REGISTRIES" "$F_insecure_registry")
  fi
  if is_true "${F_daemon:-${CNB_USE_DAEMON:-false}}"; then
    fail $EXIT_FAILED "the fixture lifecycle cannot export to a docker daemon (-daemon / CNB_USE_DAEMON)"
  fi
  if is_true "${F_layout:-${CNB_USE_LAYOUT:-false}}"; then
    fail $EXIT_FAILED "the fixture lifecycle does not implement OCI layout mode (-layout / CNB_USE_LAYOUT)"
  fi
}

# Detector and builder must never run as root (phase/detector.go, builder.go Privileges).
refuse_root() {
  if [ "$(id -u)" = 0 ]; then
    fail $EXIT_FAILED "refusing to run as root"
  fi
}

# Root-started analyzer/restorer/exporter: the real lifecycle chowns what the CNB user cannot write
# and then drops to uid:gid. busybox has no setresuid tool that works without /etc/passwd, so the
# fixture stays root and hands ownership of the directories it wrote back to the CNB user instead.
ensure_owner() { # ensure_owner DIR...
  [ "$(id -u)" = 0 ] || return 0
  [ "$USER_ID" != 0 ] || return 0
  for _d in "$@"; do
    [ -n "$_d" ] && [ -d "$_d" ] && chown -R "$USER_ID:$GROUP_ID" "$_d"
  done
  return 0
}

# ID escaping for directories: "/" becomes "_" (pack and launch.EscapeID).
escape_id() { printf '%s' "$1" | tr '/' '_'; }

# A private scratch directory, removed on exit.
make_scratch() {
  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/lifecycle.XXXXXX") || fail $EXIT_FAILED "cannot create a temp dir"
  trap 'rm -rf "$SCRATCH"' EXIT
}

# record_visible: at debug level, a lifecycle run from a builder image (one with /cnb/order.toml, which
# the lifecycle image lacks) prints everything it can see that could hold a registry credential: its
# environment, CNB_REGISTRY_AUTH, /platform/env and every docker-style config file it can read. Tests use
# it to show that an untrusted builder's own lifecycle never sees the host's credentials
# (docs/security.md); the lifecycle image, which may hold them, never prints this.
record_visible() {
  [ "$LOG_LEVEL" = debug ] && [ -f /cnb/order.toml ] || return 0
  _rv="fixture-lifecycle-record $PHASE:"
  env | sort | sed "s|^|$_rv env |"
  printf '%s CNB_REGISTRY_AUTH=%s\n' "$_rv" "${CNB_REGISTRY_AUTH-<unset>}"
  for _rf in /platform/env/* $(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o -type f \
      \( -name config.json -o -name auth.json -o -name .dockercfg \) -print 2>/dev/null); do
    [ -f "$_rf" ] && [ -r "$_rf" ] || continue
    printf '%s file %s\n' "$_rv" "$_rf"
    sed "s|^|$_rv   |" "$_rf"
    echo
  done
  printf '%s end\n' "$_rv"
}
