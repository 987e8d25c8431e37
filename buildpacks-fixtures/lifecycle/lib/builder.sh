# builder.sh - `builder [flags]`: runs each group buildpack's bin/build with its layers directory, its
# slice of the plan and the build env of earlier buildpacks' build layers, then writes
# <layers>/config/metadata.toml (contract §2.8, §4.3).
. "$LIB/detector.sh"   # buildpack_env, env_add, read_target, buildpack_dir
. "$LIB/restorer.sh"   # read_group_ids

# bp_plan ID OUT: the [[entries]] of plan.toml this buildpack provides, as a buildpack plan.
bp_plan() {
  awk -v id="$1" '
    function val(l) { sub(/^[^=]*=[ \t]*/, "", l); gsub(/^"|"[ \t]*$/, "", l); return l }
    function flush() { if (mine) printf "%s", reqs; reqs = ""; mine = 0 }
    /^[ \t]*\[\[entries\]\]/ { flush(); sec = ""; next }
    /^[ \t]*\[\[entries\.providers\]\]/ { sec = "p"; next }
    /^[ \t]*\[\[entries\.requires\]\]/ { sec = "r"; next }
    /^[ \t]*\[entries\.requires\.metadata\]/ { sec = "m"; reqs = reqs "[entries.metadata]\n"; next }
    sec == "p" && /^[ \t]*id[ \t]*=/ { if (val($0) == id) mine = 1; next }
    sec == "r" && /^[ \t]*name[ \t]*=/ { reqs = reqs "[[entries]]\nname = \"" val($0) "\"\n"; next }
    sec == "m" && /=/ { l = $0; sub(/^[ \t]+/, "", l); reqs = reqs l "\n" }
    END { flush() }' "$PLAN" > "$2"
}

# apply_env_dir DIR: env files of a build layer into the accumulated build env ($SCRATCH/buildenv),
# with the suffix actions of env/env.go (none = override, .default .override .append .prepend .delim).
apply_env_dir() {
  [ -d "$1" ] || return 0
  for _f in "$1"/*; do
    [ -f "$_f" ] || continue
    _base=$(basename "$_f"); _name=${_base%.*}; _act=${_base##*.}
    [ "$_name" = "$_base" ] && _act=override
    case $_act in delim) continue ;; esac
    _val=$(cat "$_f"); _delim=
    [ -f "$1/$_name.delim" ] && _delim=$(cat "$1/$_name.delim")
    _cur=; _has=0
    if [ -f "$SCRATCH/buildenv/$_name" ]; then _cur=$(cat "$SCRATCH/buildenv/$_name"); _has=1
    else eval "_cur=\${$_name-}"; eval "[ -n \"\${$_name+x}\" ]" && _has=1; fi
    case $_act in
      override) ;;
      default) [ $_has = 1 ] && continue ;;
      append) [ $_has = 1 ] && [ -n "$_cur" ] && _val="$_cur$_delim$_val" ;;
      prepend) [ $_has = 1 ] && [ -n "$_cur" ] && _val="$_val$_delim$_cur" ;;
      *) continue ;;
    esac
    printf '%s' "$_val" > "$SCRATCH/buildenv/$_name"
  done
}

# prepend_path NAME DIR: <layer>/bin -> PATH, <layer>/lib -> LD_LIBRARY_PATH and LIBRARY_PATH.
prepend_path() {
  [ -d "$2" ] || return 0
  if [ -f "$SCRATCH/buildenv/$1" ]; then _cur=$(cat "$SCRATCH/buildenv/$1"); else eval "_cur=\${$1-}"; fi
  printf '%s%s' "$2" "${_cur:+:$_cur}" > "$SCRATCH/buildenv/$1"
}

# collect_launch BP_ID LAUNCH_TOML: processes and labels as tab-separated records in $SCRATCH.
collect_launch() {
  [ -f "$2" ] || return 0
  awk -v bp="$1" -v pf="$SCRATCH/processes.tsv" -v lf="$SCRATCH/labels.tsv" '
    function val(l) { sub(/^[^=]*=[ \t]*/, "", l); sub(/[ \t]+$/, "", l); return l }
    function unq(v) { gsub(/^"|"$/, "", v); return v }
    function flush() {
      if (sec == "p" && type != "") print unq(type) "\t" bp "\t" cmd "\t" (args == "" ? "[]" : args) "\t" (def == "" ? "false" : def) "\t" unq(wd) >> pf
      if (sec == "l" && key != "") print key "\t" value >> lf
      type = cmd = args = def = wd = key = value = ""
    }
    /^[ \t]*\[\[processes\]\]/ { flush(); sec = "p"; next }
    /^[ \t]*\[\[labels\]\]/ { flush(); sec = "l"; next }
    /^[ \t]*\[/ { flush(); sec = ""; next }
    sec == "p" && /^[ \t]*type[ \t]*=/ { type = val($0) }
    sec == "p" && /^[ \t]*command[ \t]*=/ { cmd = val($0); if (cmd !~ /^\[.*\]$/) { print "process command must be a one-line array of strings" > "/dev/stderr"; bad = 1 } }
    sec == "p" && /^[ \t]*args[ \t]*=/ { args = val($0) }
    sec == "p" && /^[ \t]*default[ \t]*=/ { def = val($0) }
    sec == "p" && /^[ \t]*working-dir[ \t]*=/ { wd = val($0) }
    sec == "p" && /^[ \t]*direct[ \t]*=/ { print "process key direct is not allowed for buildpack API >= 0.9" > "/dev/stderr"; bad = 1 }
    sec == "l" && /^[ \t]*key[ \t]*=/ { key = val($0) }
    sec == "l" && /^[ \t]*value[ \t]*=/ { value = val($0) }
    END { flush(); exit bad }' "$2"
}

build_run() {
  read_group_ids > "$SCRATCH/group.tsv" || fail $EXIT_FAILED "reading group file $GROUP: not found"
  [ -f "$PLAN" ] || fail $EXIT_FAILED "reading plan file $PLAN: not found"
  read_target
  mkdir -p "$SCRATCH/buildenv" || fail $EXIT_BUILD_OTHER "creating scratch dirs"
  : > "$SCRATCH/processes.tsv"; : > "$SCRATCH/labels.tsv"; : > "$SCRATCH/buildpacks.toml"
  _default=
  while IFS="$(printf '\t')" read -r _id _ver _api; do
    _dir=$(buildpack_dir "$_id" "$_ver")
    [ -x "$_dir/bin/build" ] || fail $EXIT_BUILD_OTHER "buildpack $_id@$_ver has no executable bin/build"
    _esc=$(escape_id "$_id")
    _bplayers=$LAYERS/$_esc
    mkdir -p "$_bplayers" || fail $EXIT_BUILD_OTHER "creating $_bplayers"
    _bpplan=$SCRATCH/plan-$_esc.toml
    bp_plan "$_id" "$_bpplan"
    buildpack_env "$_dir"
    # Build env from earlier buildpacks' build=true layers overrides the platform env.
    for _f in "$SCRATCH/buildenv"/*; do
      [ -f "$_f" ] && env_add "$(basename "$_f")" "$(cat "$_f")"
    done
    env_add CNB_LAYERS_DIR "$_bplayers"
    env_add CNB_BP_PLAN_PATH "$_bpplan"
    info "Running build for buildpack $_id@$_ver"
    _rc=0
    ( cd "$APP" && eval "exec env -i $BP_ENV \"\$_dir/bin/build\" \"\$_bplayers\" \"\$PLATFORM\" \"\$_bpplan\"" ) < /dev/null || _rc=$?
    [ $_rc = 0 ] || fail $EXIT_BUILD_FAIL "failed to build: exit status $_rc"
    # Layers: all types false -> <layer>.ignore; build layers feed the next buildpacks.
    for _lt in "$_bplayers"/*.toml; do
      [ -f "$_lt" ] || continue
      _ln=$(basename "$_lt" .toml)
      case $_ln in launch|build|store) continue ;; esac
      if grep -q '^[ \t]*\(launch\|build\|cache\)[ \t]*=' "$_lt" && ! grep -q '^[ \t]*\[types\]' "$_lt"; then
        fail $EXIT_BUILD_OTHER "layer $_id:$_ln: launch/build/cache must be under [types]"
      fi
      if ! layer_type "$_lt" launch && ! layer_type "$_lt" build && ! layer_type "$_lt" cache; then
        [ -d "$_bplayers/$_ln" ] && { rm -rf "$_bplayers/$_ln.ignore"; mv "$_bplayers/$_ln" "$_bplayers/$_ln.ignore"; }
        continue
      fi
      if layer_type "$_lt" build; then
        prepend_path PATH "$_bplayers/$_ln/bin"
        prepend_path LD_LIBRARY_PATH "$_bplayers/$_ln/lib"
        prepend_path LIBRARY_PATH "$_bplayers/$_ln/lib"
        apply_env_dir "$_bplayers/$_ln/env"
        apply_env_dir "$_bplayers/$_ln/env.build"
      fi
    done
    collect_launch "$_id" "$_bplayers/launch.toml" || fail $EXIT_BUILD_OTHER "invalid launch.toml of $_id"
    _d=$(awk -F '\t' -v bp="$_id" '$2 == bp && $5 == "true" { t = $1 } END { print t }' "$SCRATCH/processes.tsv")
    [ -n "$_d" ] && _default=$_d
    _home=$(toml_get "$_dir/buildpack.toml" buildpack homepage)
    {
      printf '[[buildpacks]]\n  id = %s\n  version = %s\n  api = %s\n' "$(toml_quote "$_id")" "$(toml_quote "$_ver")" "$(toml_quote "$_api")"
      [ -n "$_home" ] && printf '  homepage = %s\n' "$(toml_quote "$_home")"
      printf '\n'
    } >> "$SCRATCH/buildpacks.toml"
  done < "$SCRATCH/group.tsv"
  write_metadata "$_default"
}

# <layers>/config/metadata.toml; a later buildpack's process replaces an earlier one of the same type.
write_metadata() {
  mkdir -p "$LAYERS/config" || fail $EXIT_BUILD_OTHER "creating $LAYERS/config"
  {
    [ -n "$1" ] && printf 'buildpack-default-process-type = %s\n\n' "$(toml_quote "$1")"
    cat "$SCRATCH/buildpacks.toml"
    awk -F '\t' '{ last[$1] = NR; row[NR] = $0 } END { for (i = 1; i <= NR; i++) { split(row[i], f, "\t"); if (last[f[1]] == i) print row[i] } }' \
      "$SCRATCH/processes.tsv" | while IFS="$(printf '\t')" read -r _t _bp _cmd _args _def _wd; do
      printf '[[processes]]\n  type = %s\n  command = %s\n  args = %s\n  direct = true\n  buildpack-id = %s\n' \
        "$(toml_quote "$_t")" "$_cmd" "$_args" "$(toml_quote "$_bp")"
      [ -n "$_wd" ] && printf '  working-dir = %s\n' "$(toml_quote "$_wd")"
      printf '\n'
    done
    while IFS="$(printf '\t')" read -r _k _v; do
      printf '[[labels]]\n  key = %s\n  value = %s\n\n' "$_k" "$_v"
    done < "$SCRATCH/labels.tsv"
  } > "$LAYERS/config/metadata.toml" || fail $EXIT_BUILD_OTHER "writing metadata.toml"
  info "Wrote $LAYERS/config/metadata.toml${1:+ (default process type $1)}"
}

phase_main() {
  [ $# = 0 ] || fail $EXIT_ARGS "failed to parse arguments: received $# arguments, but expected 0"
  refuse_root
  build_run
}
