# exporter.sh - `exporter [flags] <image> [<image>...]`: publishes the app image to the registry from
# inside the container (contract §2.9, §5): run image layers (cross-repository mount, else copy), one
# layer per launch layer, the app layer, the launcher, config and process-types layers; the CNB labels;
# ENTRYPOINT/Env/WorkingDir for the default process; report.toml; then the cache.
. "$LIB/restorer.sh"   # read_group_ids, cache.sh
. "$LIB/detector.sh"   # buildpack_dir

NORMALIZED_TIME='1980-01-01 00:00:01'
CREATED=1980-01-01T00:00:01Z

# rel PATH: an absolute path as a tar member name (relative to /).
rel() { printf '%s' "${1#/}"; }

# make_tar ROOT OUT PARENT... -- TREE...: a tar with the PARENT dirs as single entries and each TREE
# recursively, sorted so that the same content gives the same diffID. Owners are the files' own
# (the CNB user's for layers and app; root for the launcher), as busybox tar cannot rewrite them.
make_tar() {
  _root=$1 _out=$2; shift 2
  : > "$SCRATCH/tarlist"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do printf '%s\n' "$1" >> "$SCRATCH/tarlist"; shift; done
  [ "$1" = -- ] && shift
  for _t in "$@"; do (cd "$_root" && find "$_t" | sort) >> "$SCRATCH/tarlist"; done
  _oldifs=$IFS; IFS='
'
  # shellcheck disable=SC2046
  set -- $(cat "$SCRATCH/tarlist")
  IFS=$_oldifs
  tar -c --no-recursion -f "$_out" -C "$_root" "$@"
}

# normalize_times ROOT PATH...: mtimes to 1980-01-01T00:00:01Z like the real exporter's layers.
normalize_times() {
  _root=$1; shift
  (cd "$_root" && find "$@" -exec touch -h -d "$NORMALIZED_TIME" {} +) \
    || warn "could not normalise modification times under $*; the layer's diffID will vary"
}

# add_layer TARFILE HISTORY: gzip, upload, and record "diffID<TAB>digest<TAB>size<TAB>history".
add_layer() {
  _diff=$(sha256_of "$1")
  gzip -c < "$1" > "$1.gz" || return 1
  _dig=$(blob_upload "$OUT_HOST" "$OUT_REPO" "$1.gz") || return 1
  printf '%s\t%s\t%s\t%s\n' "$_diff" "$_dig" "$(stat -c %s "$1.gz")" "$2" >> "$SCRATCH/layers.tsv"
  LAST_DIFF=$_diff
  debug "layer $_diff ($2)"
}

# run_image_entry RUNIMAGE: "image<TAB>mirrors-json" from run.toml: the entry naming the run image
# (as image or mirror), else the first entry (platform/run_image.go GetRunImageForExport).
run_image_entry() {
  [ -f "$RUN_PATH" ] || { printf '%s\t[]\n' "$1"; return 0; }
  awk -v want="$1" '
    function flush() { if (n) { imgs[n] = img; mirs[n] = (mir == "" ? "[]" : mir); if (img == want || index(mir, "\"" want "\"")) hit = n } img = ""; mir = "" }
    /^[ \t]*\[\[images\]\]/ { flush(); n++; next }
    /^[ \t]*image[ \t]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); img = v }
    /^[ \t]*mirrors[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v); mir = v }
    END { flush(); if (!hit) hit = 1; if (n) print imgs[hit] "\t" mirs[hit]; else print want "\t[]" }' "$RUN_PATH"
}

export_run() {
  OUT_IMAGE=$1
  ref_parse "$OUT_IMAGE" || fail $EXIT_ARGS "invalid image reference '$OUT_IMAGE'"
  [ -n "$REF_TAG" ] || fail $EXIT_ARGS "image '$OUT_IMAGE' must name a tag"
  OUT_HOST=$REF_HOST OUT_REPO=$REF_REPO
  for _img in "$@"; do
    ref_parse "$_img" || fail $EXIT_ARGS "invalid image reference '$_img'"
    [ "$REF_HOST" = "$OUT_HOST" ] || fail $EXIT_ARGS "writing to multiple registries is unsupported: $_img"
  done
  [ -z "$CACHE_IMAGE" ] || fail $EXIT_FAILED "the fixture lifecycle supports only a cache directory, not -cache-image"
  if [ "$PHASE" = exporter ] && [ -n "${F_SET_run_image:-}" ] && [ "$F_run_image" != "${CNB_RUN_IMAGE:-}" ]; then
    fail $EXIT_ARGS "-run-image is unsupported"
  fi
  RUN_REF=$(toml_get "$ANALYZED" run-image reference)
  [ -n "$RUN_REF" ] || fail $EXIT_ARGS "run image not found in analyzed metadata"
  RUN_IMAGE_NAME=$(toml_get "$ANALYZED" run-image image)
  read_group_ids > "$SCRATCH/group.tsv" || fail $EXIT_FAILED "reading group file $GROUP: not found"
  METADATA=$LAYERS/config/metadata.toml
  [ -f "$METADATA" ] || fail $EXIT_EXPORT "reading $METADATA: not found (did the builder run?)"
  setting LAUNCHER launcher "" /cnb/lifecycle/launcher
  setting PROCESS_TYPE process-type CNB_PROCESS_TYPE ""
  registry_check "$OUT_HOST" || fail $EXIT_EXPORT "cannot reach $OUT_HOST"

  # Which process the image runs by default.
  DEFAULT_TYPE=$(toml_get "$METADATA" "" buildpack-default-process-type)
  TYPES=$(awk '/^[ \t]*\[\[processes\]\]/ { p = 1; next } /^[ \t]*\[/ { p = 0 }
    p && /^[ \t]*type[ \t]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); print v }' "$METADATA")
  if [ -n "$PROCESS_TYPE" ]; then
    printf '%s\n' "$TYPES" | grep -qxF "$PROCESS_TYPE" \
      || fail $EXIT_EXPORT "tried to set process type '$PROCESS_TYPE' as default but it doesn't exist"
    ENTRYPOINT="/cnb/process/$PROCESS_TYPE"
  elif [ -n "$DEFAULT_TYPE" ] && printf '%s\n' "$TYPES" | grep -qxF "$DEFAULT_TYPE"; then
    ENTRYPOINT="/cnb/process/$DEFAULT_TYPE"
  else
    ENTRYPOINT=/cnb/lifecycle/launcher
  fi

  info "Exporting $OUT_IMAGE"
  # Run image: manifest and config, layers mounted into the target repository.
  ref_parse "$RUN_REF" || fail $EXIT_EXPORT "invalid run image reference '$RUN_REF' in $ANALYZED"
  RUN_HOST=$REF_HOST RUN_REPO=$REF_REPO
  registry_check "$RUN_HOST" || fail $EXIT_EXPORT "cannot reach $RUN_HOST"
  manifest_get "$RUN_HOST" "$RUN_REPO" "${REF_DIGEST:-$REF_TAG}" "$SCRATCH/run.json" \
    || fail $EXIT_EXPORT "reading run image $RUN_REF"
  RUN_MANIFEST_TYPE=$MANIFEST_TYPE
  _cfg=$(json_value config "$SCRATCH/run.json" | json_value digest | json_unquote)
  blob_get "$RUN_HOST" "$RUN_REPO" "$_cfg" "$SCRATCH/run-config.json" || fail $EXIT_EXPORT "reading run image config"
  RUN_LAYERS=$(json_value layers "$SCRATCH/run.json")
  RUN_DIFFS=$(json_value diff_ids "$SCRATCH/run-config.json")
  RUN_TOP=$(printf '%s' "$RUN_DIFFS" | json_string_items | tail -n 1)
  for _d in $(printf '%s' "$RUN_LAYERS" | grep -o 'sha256:[0-9a-f]\{64\}'); do
    if blob_exists "$OUT_HOST" "$OUT_REPO" "$_d"; then continue; fi
    _rc=1
    if [ "$RUN_HOST" = "$OUT_HOST" ]; then _rc=0; blob_mount "$OUT_HOST" "$OUT_REPO" "$_d" "$RUN_REPO" || _rc=$?; fi
    case $_rc in
      0) debug "mounted $_d from $RUN_REPO" ;;
      *) blob_get "$RUN_HOST" "$RUN_REPO" "$_d" "$SCRATCH/copy.blob" && blob_upload "$OUT_HOST" "$OUT_REPO" "$SCRATCH/copy.blob" >/dev/null \
           || fail $EXIT_EXPORT "copying run image layer $_d to $OUT_HOST/$OUT_REPO"
         rm -f "$SCRATCH/copy.blob" ;;
    esac
  done

  : > "$SCRATCH/layers.tsv"
  LAYERS_REL=$(rel "$LAYERS")
  # Buildpack launch layers, in group order, sorted by name within a buildpack.
  : > "$SCRATCH/bpmeta.json"; : > "$SCRATCH/cachelist.tsv"
  while IFS="$(printf '\t')" read -r _id _ver _api; do
    _esc=$(escape_id "$_id")
    _lj=
    for _lt in $(ls "$LAYERS/$_esc"/*.toml 2>/dev/null | sort); do
      _ln=$(basename "$_lt" .toml)
      case $_ln in launch|build|store) continue ;; esac
      _launch=false _build=false _cache=false
      layer_type "$_lt" launch && _launch=true
      layer_type "$_lt" build && _build=true
      layer_type "$_lt" cache && _cache=true
      [ $_launch = true ] || [ $_cache = true ] || continue
      if [ ! -d "$LAYERS/$_esc/$_ln" ]; then
        fail $EXIT_EXPORT "layer $_id:$_ln has no contents; reusing a layer from the previous image is not implemented by the fixture exporter"
      fi
      _tar=$SCRATCH/layer-$_esc-$_ln.tar
      normalize_times / "$LAYERS_REL/$_esc/$_ln"
      make_tar / "$_tar" "$LAYERS_REL" "$LAYERS_REL/$_esc" -- "$LAYERS_REL/$_esc/$_ln" \
        || fail $EXIT_EXPORT "creating layer $_id:$_ln"
      _sha=$(sha256_of "$_tar")
      if [ $_launch = true ]; then
        add_layer "$_tar" "Layer: '$_ln', Created by buildpack: $_id@$_ver" || fail $EXIT_EXPORT "uploading layer $_id:$_ln"
        info "Adding layer '$_id:$_ln'"
      fi
      _data=$(metadata_json "$_lt")
      [ $_cache = true ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$_id" "$_ver" "$_ln" "$_sha" "$_build" "$_launch" "$_cache" "$_data" >> "$SCRATCH/cachelist.tsv"
      [ $_launch = true ] || continue
      _lj="$_lj${_lj:+,}$(json_quote "$_ln"):{\"sha\":\"$_sha\",\"data\":$_data,\"build\":$_build,\"launch\":$_launch,\"cache\":$_cache}"
    done
    printf '%s{"key":%s,"version":%s,"layers":{%s}}' "$(test -s "$SCRATCH/bpmeta.json" && echo ,)" \
      "$(json_quote "$_id")" "$(json_quote "$_ver")" "$_lj" >> "$SCRATCH/bpmeta.json"
  done < "$SCRATCH/group.tsv"

  # App layer: the whole app directory (slices are not implemented).
  APP_REL=$(rel "$APP")
  normalize_times / "$APP_REL"
  make_tar / "$SCRATCH/app.tar" -- "$APP_REL" || fail $EXIT_EXPORT "creating the app layer"
  add_layer "$SCRATCH/app.tar" "Application Layer" || fail $EXIT_EXPORT "uploading the app layer"
  APP_SHA=$LAST_DIFF
  info "Adding 1/1 app layer(s)"

  # Launcher layer: /cnb, /cnb/lifecycle, /cnb/lifecycle/launcher (root-owned in the builder).
  if [ "$LAUNCHER" = /cnb/lifecycle/launcher ]; then
    make_tar / "$SCRATCH/launcher.tar" cnb cnb/lifecycle cnb/lifecycle/launcher || fail $EXIT_EXPORT "creating the launcher layer"
  else
    mkdir -p "$SCRATCH/launcher-root/cnb/lifecycle" && cp "$LAUNCHER" "$SCRATCH/launcher-root/cnb/lifecycle/launcher" \
      && chmod 755 "$SCRATCH/launcher-root/cnb" "$SCRATCH/launcher-root/cnb/lifecycle" "$SCRATCH/launcher-root/cnb/lifecycle/launcher" \
      && make_tar "$SCRATCH/launcher-root" "$SCRATCH/launcher.tar" cnb cnb/lifecycle cnb/lifecycle/launcher \
      || fail $EXIT_EXPORT "creating the launcher layer from $LAUNCHER"
  fi
  add_layer "$SCRATCH/launcher.tar" "Buildpacks Application Launcher" || fail $EXIT_EXPORT "uploading the launcher layer"
  LAUNCHER_SHA=$LAST_DIFF
  info "Adding layer 'buildpacksio/lifecycle:launcher'"

  # Config layer: <layers>/config/metadata.toml.
  normalize_times / "$LAYERS_REL/config"
  make_tar / "$SCRATCH/config.tar" "$LAYERS_REL" -- "$LAYERS_REL/config" || fail $EXIT_EXPORT "creating the config layer"
  add_layer "$SCRATCH/config.tar" "Buildpacks Launcher Config" || fail $EXIT_EXPORT "uploading the config layer"
  CONFIG_SHA=$LAST_DIFF
  info "Adding layer 'buildpacksio/lifecycle:config'"

  # Process-types layer: /cnb/process/<type> -> /cnb/lifecycle/launcher.
  PTYPES_SHA=
  if [ -n "$TYPES" ]; then
    mkdir -p "$SCRATCH/ptypes/cnb/process" || fail $EXIT_EXPORT "creating the process-types layer"
    for _t in $TYPES; do
      case $_t in *[!A-Za-z0-9._-]*) fail $EXIT_EXPORT "invalid process type '$_t'" ;; esac
      ln -s /cnb/lifecycle/launcher "$SCRATCH/ptypes/cnb/process/$_t"
    done
    normalize_times "$SCRATCH/ptypes" cnb/process
    make_tar "$SCRATCH/ptypes" "$SCRATCH/ptypes.tar" -- cnb/process || fail $EXIT_EXPORT "creating the process-types layer"
    add_layer "$SCRATCH/ptypes.tar" "Buildpacks Process Types" || fail $EXIT_EXPORT "uploading the process-types layer"
    PTYPES_SHA=$LAST_DIFF
    info "Adding layer 'buildpacksio/lifecycle:process-types'"
  fi

  write_image_config
  write_manifest
  _first=1
  for _img in "$@"; do
    ref_parse "$_img"
    _dig=$(manifest_put "$OUT_HOST" "$REF_REPO" "$REF_TAG" "$SCRATCH/manifest.json" "$MANIFEST_MEDIA") \
      || fail $EXIT_EXPORT "failed to export: saving $_img"
    info "Saving $_img..."
    [ $_first = 1 ] && { IMAGE_DIGEST=$_dig; _first=0; }
  done
  info "*** Images ($(printf '%s' "$IMAGE_DIGEST" | cut -c8-19)):"
  for _img in "$@"; do info "      $_img"; done
  info "*** Digest: $IMAGE_DIGEST"
  _tags=
  for _img in "$@"; do _tags="$_tags${_tags:+, }$(toml_quote "$_img")"; done
  mkdir -p "$(dirname "$REPORT")"
  printf '[image]\n  tags = [%s]\n  digest = %s\n  manifest-size = %s\n' "$_tags" "$(toml_quote "$IMAGE_DIGEST")" \
    "$(stat -c %s "$SCRATCH/manifest.json")" > "$REPORT" || fail $EXIT_EXPORT "writing $REPORT"

  [ -n "$CACHE_DIR" ] && export_cache
  return 0
}

# The image config: the run image's User/Env/Labels kept, the CNB ones added (§5.2, §5.3).
write_image_config() {
  _rcfg=$SCRATCH/run-config.json
  _arch=$(json_value architecture "$_rcfg"); _os=$(json_value os "$_rcfg")
  _user=$(json_value User "$_rcfg"); _variant=$(json_value variant "$_rcfg")
  _env=; _path_seen=0
  # Items stay JSON-escaped as they came; only PATH is rewritten.
  json_value Env "$_rcfg" | json_string_items > "$SCRATCH/runenv"
  while IFS= read -r _e; do
    case $_e in
      PATH=*) _e="PATH=/cnb/process:/cnb/lifecycle:${_e#PATH=}"; _path_seen=1 ;;
      CNB_LAYERS_DIR=*|CNB_APP_DIR=*|CNB_PLATFORM_API=*|CNB_DEPRECATION_MODE=*) continue ;;
    esac
    _env="$_env${_env:+,}\"$_e\""
  done < "$SCRATCH/runenv"
  [ $_path_seen = 1 ] || _env="$_env${_env:+,}\"PATH=/cnb/process:/cnb/lifecycle\""
  _env="$_env,$(json_quote "CNB_LAYERS_DIR=$LAYERS"),$(json_quote "CNB_APP_DIR=$APP")"
  _env="$_env,$(json_quote "CNB_PLATFORM_API=$API"),\"CNB_DEPRECATION_MODE=quiet\""

  # Labels: the run image's, then ours (buildpacks' launch.toml labels last: the last writer wins).
  _runlabels=$(json_value Labels "$_rcfg")
  case $_runlabels in '{'?*'}') _labels=${_runlabels%\}} ;; *) _labels='{' ;; esac
  _sep=,; [ "$_labels" = '{' ] && _sep=
  _entry=$(run_image_entry "$RUN_IMAGE_NAME")
  _rimg=$(printf '%s' "$_entry" | cut -f1); _rmir=$(printf '%s' "$_entry" | cut -f2)
  _lmeta="{\"app\":[{\"sha\":\"$APP_SHA\"}],\"buildpacks\":[$(cat "$SCRATCH/bpmeta.json")],\"config\":{\"sha\":\"$CONFIG_SHA\"},\"launcher\":{\"sha\":\"$LAUNCHER_SHA\"}"
  [ -n "$PTYPES_SHA" ] && _lmeta="$_lmeta,\"process-types\":{\"sha\":\"$PTYPES_SHA\"}"
  _lmeta="$_lmeta,\"runImage\":{\"topLayer\":\"$RUN_TOP\",\"reference\":$(json_quote "$RUN_REF"),\"image\":$(json_quote "$_rimg"),\"mirrors\":$_rmir}"
  _lmeta="$_lmeta,\"stack\":{\"runImage\":{\"image\":$(json_quote "$_rimg"),\"mirrors\":$_rmir}}}"
  _bmeta=$(build_metadata_json)
  _labels="$_labels$_sep\"io.buildpacks.lifecycle.metadata\":$(json_quote "$_lmeta")"
  _labels="$_labels,\"io.buildpacks.build.metadata\":$(json_quote "$_bmeta")"
  _labels="$_labels,\"io.buildpacks.project.metadata\":\"{}\""
  _extra=$(awk '/^[ \t]*\[\[labels\]\]/ { l = 1; next } /^[ \t]*\[/ { l = 0 }
    l && /^[ \t]*key[ \t]*=/ { k = $0; sub(/^[^=]*=[ \t]*/, "", k) }
    l && /^[ \t]*value[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); printf ",%s:%s", k, v }' "$METADATA")
  _labels="$_labels$_extra}"

  _diffs=$(printf '%s' "$RUN_DIFFS" | sed 's/^\[//; s/\]$//')
  _ours=$(cut -f1 "$SCRATCH/layers.tsv" | awk '{ printf "%s\"%s\"", (NR > 1 ? "," : ""), $0 }')
  _hist=
  _runhist=$(json_value history "$_rcfg")
  if [ -n "$_runhist" ] && [ "$_runhist" != '[]' ]; then
    _hist=$(cut -f4 "$SCRATCH/layers.tsv" | while IFS= read -r _h; do
      printf ',{"created":"%s","created_by":%s}' "$CREATED" "$(json_quote "$_h")"; done)
    _hist=",\"history\":${_runhist%]}$_hist]"
  fi
  {
    printf '{"architecture":%s,"os":%s' "$_arch" "$_os"
    [ -n "$_variant" ] && printf ',"variant":%s' "$_variant"
    printf ',"created":"%s","config":{' "$CREATED"
    [ -n "$_user" ] && printf '"User":%s,' "$_user"
    printf '"Env":[%s],"Entrypoint":[%s],"WorkingDir":%s,"Labels":%s}' "$_env" "$(json_quote "$ENTRYPOINT")" \
      "$(json_quote "$APP")" "$_labels"
    printf ',"rootfs":{"type":"layers","diff_ids":[%s%s%s]}%s}' "$_diffs" "${_diffs:+,}" "$_ours" "$_hist"
  } > "$SCRATCH/config.json" || fail $EXIT_EXPORT "writing the image config"
}

# io.buildpacks.build.metadata from metadata.toml: buildpacks, processes (command arrays are TOML
# one-line arrays of basic strings, which are valid JSON), the default process type.
build_metadata_json() {
  awk -v lv="$LIFECYCLE_VERSION" '
    function val(l) { sub(/^[^=]*=[ \t]*/, "", l); sub(/[ \t]+$/, "", l); return l }
    function flush() {
      if (sec == "b") bps = bps (bps == "" ? "" : ",") "{\"id\":" id ",\"version\":" ver (home == "" ? "" : ",\"homepage\":" home) "}"
      if (sec == "p") procs = procs (procs == "" ? "" : ",") "{\"type\":" type ",\"command\":" cmd ",\"args\":" (args == "" ? "[]" : args) ",\"direct\":true,\"buildpackID\":" bp (wd == "" ? "" : ",\"working-dir\":" wd) "}"
      id = ver = home = type = cmd = args = bp = wd = ""
    }
    /^[ \t]*\[\[buildpacks\]\]/ { flush(); sec = "b"; next }
    /^[ \t]*\[\[processes\]\]/ { flush(); sec = "p"; next }
    /^[ \t]*\[/ { flush(); sec = ""; next }
    sec == "" && /^[ \t]*buildpack-default-process-type[ \t]*=/ { def = val($0) }
    sec == "b" && /^[ \t]*id[ \t]*=/ { id = val($0) }
    sec == "b" && /^[ \t]*version[ \t]*=/ { ver = val($0) }
    sec == "b" && /^[ \t]*homepage[ \t]*=/ { home = val($0) }
    sec == "p" && /^[ \t]*type[ \t]*=/ { type = val($0) }
    sec == "p" && /^[ \t]*command[ \t]*=/ { cmd = val($0) }
    sec == "p" && /^[ \t]*args[ \t]*=/ { args = val($0) }
    sec == "p" && /^[ \t]*buildpack-id[ \t]*=/ { bp = val($0) }
    sec == "p" && /^[ \t]*working-dir[ \t]*=/ { wd = val($0) }
    END {
      flush()
      printf "{\"bom\":[],\"buildpacks\":[%s],\"launcher\":{\"version\":\"%s\",\"source\":{\"git\":{\"repository\":\"\",\"commit\":\"\"}}},\"processes\":[%s]", bps, lv, procs
      if (def != "") printf ",\"buildpack-default-process-type\":%s", def
      printf "}"
    }' "$METADATA"
}

# The manifest keeps the run image's format: Docker v2s2 bases give a Docker manifest, else OCI.
write_manifest() {
  case $RUN_MANIFEST_TYPE in
    application/vnd.docker.distribution.manifest.v2+json)
      MANIFEST_MEDIA=$RUN_MANIFEST_TYPE
      _cfgmedia=application/vnd.docker.container.image.v1+json
      _layermedia=application/vnd.docker.image.rootfs.diff.tar.gzip ;;
    *)
      MANIFEST_MEDIA=application/vnd.oci.image.manifest.v1+json
      _cfgmedia=application/vnd.oci.image.config.v1+json
      _layermedia=application/vnd.oci.image.layer.v1.tar+gzip ;;
  esac
  _cdig=$(blob_upload "$OUT_HOST" "$OUT_REPO" "$SCRATCH/config.json") || fail $EXIT_EXPORT "uploading the image config"
  _runl=$(printf '%s' "$RUN_LAYERS" | sed 's/^\[//; s/\]$//')
  _ours=$(awk -F '\t' -v mt="$_layermedia" '{ printf "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%s}", (NR > 1 ? "," : ""), mt, $2, $3 }' "$SCRATCH/layers.tsv")
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%s},"layers":[%s%s%s]}' \
    "$MANIFEST_MEDIA" "$_cfgmedia" "$_cdig" "$(stat -c %s "$SCRATCH/config.json")" "$_runl" "${_runl:+,}" "$_ours" \
    > "$SCRATCH/manifest.json" || fail $EXIT_EXPORT "writing the manifest"
}

# The cache: cache=true layers into staging (hard-linked from committed when unchanged), the metadata,
# then the commit. Failures here are warnings, as for the real exporter.
export_cache() {
  if ! cache_open; then warn "Failed to export cache: cannot open $CACHE_DIR"; return 0; fi
  _ok=1
  {
    printf '{"buildpacks":[\n'
    _prev=; _firstbp=1
    while IFS="$(printf '\t')" read -r _id _ver _ln _sha _b _l _c _data; do
      _hex=${_sha#sha256:}
      _src=$SCRATCH/layer-$(escape_id "$_id")-$_ln.tar
      if [ -f "$CACHE_DIR/committed/$_hex.tar" ]; then
        ln "$CACHE_DIR/committed/$_hex.tar" "$CACHE_DIR/staging/$_hex.tar" || _ok=0
        info "Reusing cache layer '$_id:$_ln'" >&3
      else
        cp "$_src" "$CACHE_DIR/staging/$_hex.tar" || _ok=0
        info "Adding cache layer '$_id:$_ln'" >&3
      fi
      if [ "$_id" != "$_prev" ]; then
        [ -n "$_prev" ] && printf '\n}},\n'
        printf '{"key":%s,"version":%s,"layers":{\n' "$(json_quote "$_id")" "$(json_quote "$_ver")"
        _prev=$_id; _firstl=1
      fi
      [ $_firstl = 1 ] || printf ',\n'
      printf '%s:{"sha":"%s","data":%s,"build":%s,"launch":%s,"cache":%s}' "$(json_quote "$_ln")" "$_sha" "$_data" "$_b" "$_l" "$_c"
      _firstl=0
    done < "$SCRATCH/cachelist.tsv"
    [ -n "$_prev" ] && printf '\n}}\n'
    printf ']}\n'
  } 3>&1 > "$CACHE_DIR/staging/$CACHE_METADATA" || _ok=0
  if [ $_ok = 1 ]; then
    rm -rf "$CACHE_DIR/committed-backup" && mv "$CACHE_DIR/committed" "$CACHE_DIR/committed-backup" \
      && mv "$CACHE_DIR/staging" "$CACHE_DIR/committed" && rm -rf "$CACHE_DIR/committed-backup" \
      && mkdir -p "$CACHE_DIR/staging" || { warn "Failed to export cache: commit failed"; return 0; }
  else
    warn "Failed to export cache: could not write $CACHE_DIR/staging"
  fi
}

phase_main() {
  [ $# -ge 1 ] || fail $EXIT_ARGS "failed to parse arguments: received 0 arguments, but expected at least 1"
  ensure_owner "$CACHE_DIR"
  export_run "$@"
  ensure_owner "$CACHE_DIR" "$LAYERS"
}
