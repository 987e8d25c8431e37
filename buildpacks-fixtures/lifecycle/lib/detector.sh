# detector.sh - `detector [flags]`: tries each group of order.toml in turn, runs every buildpack's
# bin/detect, resolves the build plan and writes group.toml and plan.toml (contract §2.5, §4.2).

# Only these variables of the lifecycle's own environment reach buildpacks (env/build.go).
ENV_ALLOWLIST="PATH LD_LIBRARY_PATH LIBRARY_PATH CPATH PKG_CONFIG_PATH HOME HOSTNAME CNB_STACK_ID
  HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy"
PATH_LIKE="PATH LD_LIBRARY_PATH LIBRARY_PATH CPATH PKG_CONFIG_PATH"

# buildpack_env BPDIR: fills BP_ENV (a quoted word list for `eval env -i $BP_ENV ...`) with the allowed
# lifecycle env, the target, and the user env from <platform>/env unless the buildpack sets clear-env.
buildpack_env() {
  BP_ENV=
  for _n in $ENV_ALLOWLIST; do
    eval "_v=\${$_n-__unset__}"
    [ "$_v" = __unset__ ] || env_add "$_n" "$_v"
  done
  [ -n "$TARGET_OS" ] && env_add CNB_TARGET_OS "$TARGET_OS"
  [ -n "$TARGET_ARCH" ] && env_add CNB_TARGET_ARCH "$TARGET_ARCH"
  [ -n "$TARGET_VARIANT" ] && env_add CNB_TARGET_ARCH_VARIANT "$TARGET_VARIANT"
  [ -n "$TARGET_DISTRO_NAME" ] && env_add CNB_TARGET_DISTRO_NAME "$TARGET_DISTRO_NAME"
  [ -n "$TARGET_DISTRO_VERSION" ] && env_add CNB_TARGET_DISTRO_VERSION "$TARGET_DISTRO_VERSION"
  env_add CNB_PLATFORM_DIR "$PLATFORM"
  env_add CNB_BUILDPACK_DIR "$1"
  [ "$(toml_get "$1/buildpack.toml" buildpack clear-env)" = true ] && return 0
  [ -d "$PLATFORM/env" ] || return 0
  for _f in "$PLATFORM/env"/*; do
    [ -f "$_f" ] || continue
    _n=$(basename "$_f")
    case $_n in *[!A-Za-z0-9_]*|[0-9]*) warn "ignoring platform env file with an invalid name: $_n"; continue ;; esac
    _v=$(cat "$_f")
    # PATH-like variables are prepended, everything else overrides.
    case " $(echo $PATH_LIKE) " in
      *" $_n "*) eval "_old=\${$_n:-}"; [ -n "$_old" ] && _v="$_v:$_old" ;;
    esac
    env_add "$_n" "$_v"
  done
}

# env_add NAME VALUE: appends NAME=VALUE to BP_ENV, shell-quoted.
env_add() {
  BP_ENV="$BP_ENV '$1=$(printf '%s' "$2" | sed "s/'/'\\\\''/g")'"
}

read_target() {
  TARGET_OS=$(toml_get "$ANALYZED" run-image.target os)
  TARGET_ARCH=$(toml_get "$ANALYZED" run-image.target arch)
  TARGET_VARIANT=$(toml_get "$ANALYZED" run-image.target arch-variant)
  TARGET_DISTRO_NAME=$(toml_get "$ANALYZED" run-image.target.distro name)
  TARGET_DISTRO_VERSION=$(toml_get "$ANALYZED" run-image.target.distro version)
}

# buildpack_dir ID VERSION
buildpack_dir() { printf '%s/%s/%s' "$BUILDPACKS" "$(escape_id "$1")" "$2"; }

# check_buildpack_api DIR: the fixture knows Buildpack APIs 0.7-0.10 (exit 12 otherwise).
check_buildpack_api() {
  BP_API=$(toml_get "$1/buildpack.toml" "" api)
  case $BP_API in
    0.7|0.8|0.9|0.10) return 0 ;;
    *) fail $EXIT_BUILDPACK_API "buildpack API version '$BP_API' of $1 is incompatible with the lifecycle" ;;
  esac
}

# targets_match DIR: [[targets]] os/arch against the run image target (Platform API >= 0.12).
targets_match() {
  [ -n "$TARGET_OS" ] || return 0
  awk -v os="$TARGET_OS" -v arch="$TARGET_ARCH" '
    function val(l) { sub(/^[^=]*=[ \t]*"/, "", l); sub(/".*$/, "", l); return l }
    function close_target() { if (n && (t_os == "" || t_os == os) && (t_arch == "" || t_arch == arch)) ok = 1 }
    /^[ \t]*\[\[targets\]\]/ { close_target(); n++; t_os = ""; t_arch = ""; intarget = 1; next }
    /^[ \t]*\[/ { if (intarget) { close_target(); intarget = 0; t_os = ""; t_arch = ""; n_done = 1 } next }
    intarget && /^[ \t]*os[ \t]*=/ { t_os = val($0) }
    intarget && /^[ \t]*arch[ \t]*=/ { t_arch = val($0) }
    END { if (intarget) close_target(); exit (n == 0 || ok) ? 0 : 1 }' "$1/buildpack.toml"
}

# read_order FILE: "group<TAB>id<TAB>version<TAB>optional" lines.
read_order() {
  [ -f "$1" ] || fail $EXIT_FAILED "reading order file $1: not found"
  awk '
    function val(l) { sub(/^[^=]*=[ \t]*/, "", l); gsub(/^"|"[ \t]*$/, "", l); return l }
    function flush() { if (id != "") print g "\t" id "\t" ver "\t" (opt == "" ? "false" : opt); id = ""; ver = ""; opt = "" }
    /^[ \t]*\[\[order\]\]/ { flush(); g++; next }
    /^[ \t]*\[\[order\.group\]\]/ { flush(); next }
    /^[ \t]*\[/ { flush(); next }
    /^[ \t]*id[ \t]*=/ { id = val($0) }
    /^[ \t]*version[ \t]*=/ { ver = val($0) }
    /^[ \t]*optional[ \t]*=/ { opt = val($0) }
    END { flush() }' "$1"
}

# parse_plan_output FILE POS ID: the buildpack's [[provides]]/[[requires]] as lines
#   P<TAB>pos<TAB>id<TAB>name  and  R<TAB>pos<TAB>id<TAB>name<TAB>metadata-lines(\037 separated)
# An [[or]] alternative is ignored (the fixture resolves the primary plan only). A top-level
# requires.version is an error, as in the real lifecycle. Exit 1 on an invalid plan.
parse_plan_output() {
  awk -v pos="$2" -v id="$3" '
    function val(l) { sub(/^[^=]*=[ \t]*/, "", l); gsub(/^"|"[ \t]*$/, "", l); return l }
    function flush() {
      if (sec == "provides" && name != "") print "P\t" pos "\t" id "\t" name
      if (sec == "requires" && name != "") print "R\t" pos "\t" id "\t" name "\t" meta
      name = ""; meta = ""
    }
    /^[ \t]*$/ { next }
    /^[ \t]*\[\[provides\]\]/ { flush(); sec = "provides"; sub_ = ""; next }
    /^[ \t]*\[\[requires\]\]/ { flush(); sec = "requires"; sub_ = ""; next }
    /^[ \t]*\[requires\.metadata\]/ { sub_ = "metadata"; next }
    /^[ \t]*\[\[or\]\]/ { flush(); sec = "or"; next }
    /^[ \t]*\[/ { if (sec != "or") { print "invalid plan table: " $0 > "/dev/stderr"; bad = 1 } next }
    sec == "or" { next }
    sub_ == "metadata" { l = $0; sub(/^[ \t]+/, "", l); meta = meta (meta == "" ? "" : "\037") l; next }
    /^[ \t]*name[ \t]*=/ { name = val($0); next }
    sec == "requires" && /^[ \t]*version[ \t]*=/ {
      print "top level version key is not allowed in requires; use [requires.metadata] version" > "/dev/stderr"; bad = 1; next }
    { print "invalid plan entry: " $0 > "/dev/stderr"; bad = 1 }
    END { flush(); exit bad }' "$1"
}

# resolve_plan FILE: drops optional buildpacks whose plan does not resolve, until it does. Prints
# the ids of the dropped ones; exit 1 when a required buildpack's plan cannot be resolved.
# A require needs a provide at the same or an earlier position; a provide needs a require at the
# same or a later position.
resolve_plan() {
  awk -F '\t' '
    { if ($1 == "B") { opt[$2] = $4; bid[$2] = $3; n++ } else line[++m] = $0; next }
    END {
      while (1) {
        bad = 0
        for (i = 1; i <= m; i++) {
          split(line[i], f, "\t"); if (f[2] in dropped) continue
          ok = 0
          for (j = 1; j <= m; j++) {
            split(line[j], g, "\t"); if (g[2] in dropped) continue
            if (f[1] == "R" && g[1] == "P" && g[4] == f[4] && g[2] + 0 <= f[2] + 0) ok = 1
            if (f[1] == "P" && g[1] == "R" && g[4] == f[4] && g[2] + 0 >= f[2] + 0) ok = 1
          }
          if (!ok) { bad = f[2]; break }
        }
        if (!bad) exit 0
        if (opt[bad] != "true") { print "unresolved build plan: " bid[bad] " " (f[1] == "R" ? "requires" : "provides") " \"" f[4] "\"" > "/dev/stderr"; exit 1 }
        dropped[bad] = 1; print "DROP\t" bad
      }
    }' "$1"
}

detect_run() {
  read_target
  info "Detecting with order $ORDER"
  read_order "$ORDER" > "$SCRATCH/order.tsv"
  _groups=$(cut -f1 "$SCRATCH/order.tsv" | uniq)
  [ -n "$_groups" ] || fail $EXIT_FAILED "order $ORDER has no groups"
  ANY_ERROR=0
  for _g in $_groups; do
    : > "$SCRATCH/plan.tsv"
    _pos=0 _group_ok=1
    # One buildpack per iteration; fields are tab separated, ids and versions have no spaces.
    while IFS="$(printf '\t')" read -r _gg _id _ver _opt; do
      [ "$_gg" = "$_g" ] || continue
      _pos=$((_pos + 1))
      _dir=$(buildpack_dir "$_id" "$_ver")
      [ -f "$_dir/buildpack.toml" ] || fail $EXIT_DETECT_OTHER "buildpack $_id@$_ver not found in $BUILDPACKS"
      check_buildpack_api "$_dir"
      if grep -q '^[ \t]*\[\[order\]\]' "$_dir/buildpack.toml"; then
        fail $EXIT_DETECT_OTHER "composite buildpack $_id@$_ver: the fixture detector does not expand composites"
      fi
      printf 'B\t%s\t%s\t%s\t%s\t%s\n' "$_pos" "$_id" "$_opt" "$_ver" "$BP_API" >> "$SCRATCH/plan.tsv"
      _status=fail
      if ! targets_match "$_dir"; then
        info "skip: $_id@$_ver does not support target $TARGET_OS/$TARGET_ARCH"
      else
        _out=$SCRATCH/detect-$_g-$_pos.toml
        : > "$_out"
        buildpack_env "$_dir"
        env_add CNB_BUILD_PLAN_PATH "$_out"
        _rc=0
        ( cd "$APP" && eval "exec env -i $BP_ENV \"\$_dir/bin/detect\" \"\$PLATFORM\" \"\$_out\"" ) < /dev/null || _rc=$?
        case $_rc in
          0) if parse_plan_output "$_out" "$_pos" "$_id" >> "$SCRATCH/plan.tsv"; then _status=pass
             else _status=error; ANY_ERROR=1; fi ;;
          100) _status=fail ;;
          *) _status=error; ANY_ERROR=1; printf 'ERROR: %s@%s detect exited %s\n' "$_id" "$_ver" "$_rc" >&2 ;;
        esac
      fi
      info "$_status: $_id@$_ver"
      if [ "$_status" != pass ]; then
        if [ "$_opt" = true ]; then
          printf 'D\t%s\n' "$_pos" >> "$SCRATCH/plan.tsv"
        else
          _group_ok=0
        fi
      fi
    done < "$SCRATCH/order.tsv"
    [ $_group_ok = 1 ] || continue
    # Buildpacks that failed (optional) leave the group before the plan is resolved.
    awk -F '\t' '$1 == "D" { d[$2] = 1; next } { rows[++n] = $0; pos[n] = $2 }
      END { for (i = 1; i <= n; i++) if (!(pos[i] in d)) print rows[i] }' "$SCRATCH/plan.tsv" > "$SCRATCH/plan2.tsv"
    if ! resolve_plan "$SCRATCH/plan2.tsv" > "$SCRATCH/dropped.tsv"; then
      continue
    fi
    awk -F '\t' 'FILENAME == ARGV[1] { d[$2] = 1; next } !($2 in d)' "$SCRATCH/dropped.tsv" "$SCRATCH/plan2.tsv" > "$SCRATCH/final.tsv"
    grep -q '^B' "$SCRATCH/final.tsv" || continue
    write_group "$SCRATCH/final.tsv"
    write_plan "$SCRATCH/final.tsv"
    info "$(grep -c '^B' "$SCRATCH/final.tsv") of $(grep -c '^B' "$SCRATCH/plan.tsv") buildpacks participating"
    awk -F '\t' '$1 == "B" { print $3 " " $5 }' "$SCRATCH/final.tsv"
    return 0
  done
  if [ $ANY_ERROR = 1 ]; then
    fail $EXIT_DETECT_ERROR "no buildpacks participating (a buildpack's detect errored)"
  fi
  fail $EXIT_DETECT_FAIL "No buildpack groups passed detection."
}

write_group() {
  {
    awk -F '\t' '$1 == "B" { print $3 "\t" $5 "\t" $6 }' "$1" | while IFS="$(printf '\t')" read -r _id _ver _api; do
      _home=$(toml_get "$(buildpack_dir "$_id" "$_ver")/buildpack.toml" buildpack homepage)
      printf '[[group]]\n  id = %s\n  version = %s\n  api = %s\n' "$(toml_quote "$_id")" "$(toml_quote "$_ver")" "$(toml_quote "$_api")"
      [ -n "$_home" ] && printf '  homepage = %s\n' "$(toml_quote "$_home")"
      printf '\n'
    done
  } > "$GROUP" || fail $EXIT_DETECT_OTHER "writing $GROUP"
}

# plan.toml: one entry per required name, with every buildpack providing it and every require.
write_plan() {
  awk -F '\t' '
    $1 == "B" { ver[$3] = $5; next }
    $1 == "P" { if (!(($4, $3) in prov)) { prov[$4, $3] = 1; plist[$4] = plist[$4] "\t" $3 } next }
    $1 == "R" { if (!($4 in seen)) { seen[$4] = 1; names[++n] = $4 } reqs[$4] = reqs[$4] "\036" $5; next }
    END {
      for (i = 1; i <= n; i++) {
        nm = names[i]; print "[[entries]]"
        np = split(substr(plist[nm], 2), ps, "\t")
        for (k = 1; k <= np; k++) print "  [[entries.providers]]\n    id = \"" ps[k] "\"\n    version = \"" ver[ps[k]] "\""
        nr = split(substr(reqs[nm], 2), rs, "\036")
        for (k = 1; k <= nr; k++) {
          print "  [[entries.requires]]\n    name = \"" nm "\""
          if (rs[k] != "") { print "    [entries.requires.metadata]"; nm2 = split(rs[k], ms, "\037"); for (q = 1; q <= nm2; q++) print "      " ms[q] }
        }
        print ""
      }
    }' "$1" > "$PLAN" || fail $EXIT_DETECT_OTHER "writing $PLAN"
}

phase_main() {
  [ $# = 0 ] || fail $EXIT_ARGS "failed to parse arguments: received $# arguments, but expected 0"
  refuse_root
  detect_run
}
