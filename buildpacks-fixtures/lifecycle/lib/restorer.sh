# restorer.sh - `restorer [flags]`: restores the cache=true layers of the group's buildpacks from the
# cache directory: the layer contents (verified by diffID) and <layer>.toml with its [metadata]
# (types are for the buildpack to declare again, as with the real restorer) (contract §2.6, §6.4).
. "$LIB/cache.sh"

read_group_ids() { # "id<TAB>version<TAB>api" per [[group]] entry
  [ -f "$GROUP" ] || return 1
  awk '
    function val(l) { sub(/^[^=]*=[ \t]*/, "", l); gsub(/^"|"[ \t]*$/, "", l); return l }
    function flush() { if (id != "") print id "\t" ver "\t" api; id = ""; ver = ""; api = "" }
    /^[ \t]*\[\[group\]\]/ { flush(); ing = 1; next }
    /^[ \t]*\[/ { flush(); ing = 0; next }
    ing && /^[ \t]*id[ \t]*=/ { id = val($0) }
    ing && /^[ \t]*version[ \t]*=/ { ver = val($0) }
    ing && /^[ \t]*api[ \t]*=/ { api = val($0) }
    END { flush() }' "$GROUP"
}

restore_run() {
  read_group_ids > "$SCRATCH/group.tsv" || fail $EXIT_FAILED "reading group file $GROUP: not found"
  [ -f "$ANALYZED" ] || warn "no analyzed metadata found at path '$ANALYZED'"
  if [ -z "$CACHE_DIR" ]; then
    [ -z "$CACHE_IMAGE" ] || fail $EXIT_FAILED "the fixture lifecycle supports only a cache directory, not -cache-image"
    warn "No cached data will be used, no cache specified."
    return 0
  fi
  cache_open || exit $EXIT_FAILED
  cache_layers > "$SCRATCH/cache.tsv"
  _tarflags=
  [ "$(id -u)" = 0 ] || _tarflags=-o   # non-root cannot chown; files keep our (the CNB) uid
  while IFS="$(printf '\t')" read -r _id _ver _api; do
    _esc=$(escape_id "$_id")
    while IFS="$(printf '\t')" read -r _key _kver _layer _sha _b _l _c _data; do
      [ "$_key" = "$_id" ] && [ "$_c" = true ] || continue
      _tar=$CACHE_DIR/committed/${_sha#sha256:}.tar
      if [ ! -f "$_tar" ] || [ "$(sha256_of "$_tar")" != "$_sha" ]; then
        warn "cached layer $_id:$_layer ($_sha) is missing or corrupt; not restored"
        continue
      fi
      mkdir -p "$LAYERS/$_esc" || fail $EXIT_RESTORE "creating $LAYERS/$_esc"
      tar -x $_tarflags -f "$_tar" -C / || fail $EXIT_RESTORE "extracting cached layer $_id:$_layer"
      { printf '[metadata]\n'; metadata_toml "$_data"; } > "$LAYERS/$_esc/$_layer.toml" \
        || fail $EXIT_RESTORE "writing $LAYERS/$_esc/$_layer.toml"
      info "Restoring data for \"$_id:$_layer\" from cache"
    done < "$SCRATCH/cache.tsv"
  done < "$SCRATCH/group.tsv"
}

phase_main() {
  [ $# = 0 ] || fail $EXIT_ARGS "failed to parse arguments: received $# arguments, but expected 0"
  ensure_owner "$LAYERS" "$CACHE_DIR"
  restore_run
  ensure_owner "$LAYERS" "$CACHE_DIR"
}
