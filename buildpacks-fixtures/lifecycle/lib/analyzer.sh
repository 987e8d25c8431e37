# analyzer.sh - `analyzer [flags] <image>`: resolves the run image, checks registry access, looks
# for the previous image and writes analyzed.toml (contract §2.4).

# run_image_from_toml FILE OUTPUT_HOST: the first [[images]] image, or a mirror of it on the output
# image's registry (the real analyzer prefers a readable mirror on the same registry).
run_image_from_toml() {
  [ -f "$1" ] || return 0
  awk -v host="$2" '
    /^[ \t]*\[\[images\]\]/ { n++; next }
    n == 1 && /^[ \t]*image[ \t]*=/ { v = $0; sub(/^[^"]*"/, "", v); sub(/".*$/, "", v); image = v }
    n == 1 && /^[ \t]*mirrors[ \t]*=/ {
      s = $0
      while (match(s, /"[^"]*"/)) {
        m = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
        if (index(m, host "/") == 1 && mirror == "") mirror = m
      }
    }
    END { if (index(image, host "/") == 1 || mirror == "") print image; else print mirror }' "$1"
}

analyze_run() { # analyze_run OUTPUT_IMAGE
  OUTPUT_IMAGE=$1
  ref_parse "$OUTPUT_IMAGE" || fail $EXIT_ARGS "invalid image reference '$OUTPUT_IMAGE'"
  OUT_HOST=$REF_HOST OUT_REPO=$REF_REPO
  [ -z "$CACHE_IMAGE" ] || fail $EXIT_FAILED "the fixture lifecycle supports only a cache directory, not -cache-image"

  setting RUN_IMAGE run-image CNB_RUN_IMAGE ""
  [ -n "$RUN_IMAGE" ] || RUN_IMAGE=$(run_image_from_toml "$RUN_PATH" "$OUT_HOST")
  [ -n "$RUN_IMAGE" ] || fail $EXIT_ARGS "-run-image is required when there is no run metadata available"
  setting PREVIOUS_IMAGE previous-image CNB_PREVIOUS_IMAGE "$OUTPUT_IMAGE"

  info "Analyzing $OUTPUT_IMAGE (run image $RUN_IMAGE)"
  registry_check "$OUT_HOST" || fail $EXIT_ANALYZE "cannot reach $OUT_HOST"
  for _tag in $(printf '%s\n' "${F_tag:-}"); do
    ref_parse "$_tag" || fail $EXIT_ARGS "invalid tag '$_tag'"
    [ "$REF_HOST" = "$OUT_HOST" ] || fail $EXIT_ARGS "tag '$_tag' is not on registry $OUT_HOST"
  done
  check_write_access "$OUT_HOST" "$OUT_REPO" \
    || fail $EXIT_ANALYZE "validating registry write access to $OUT_HOST/$OUT_REPO"

  # Previous image: a missing one is fine, an unreadable one is not.
  PREVIOUS_REF=
  ref_parse "$PREVIOUS_IMAGE" || fail $EXIT_ARGS "invalid previous image '$PREVIOUS_IMAGE'"
  registry_check "$REF_HOST" || fail $EXIT_ANALYZE "cannot reach $REF_HOST"
  _rc=0; manifest_get "$REF_HOST" "$REF_REPO" "${REF_DIGEST:-$REF_TAG}" "$SCRATCH/previous.json" || _rc=$?
  case $_rc in
    0) PREVIOUS_REF="$REF_HOST/$REF_REPO@$MANIFEST_DIGEST"; info "Previous image $PREVIOUS_REF" ;;
    1) info "Previous image with name \"$PREVIOUS_IMAGE\" not found" ;;
    *) fail $EXIT_ANALYZE "reading previous image $PREVIOUS_IMAGE" ;;
  esac

  # Run image: must exist, be a single-platform manifest and name an OS in its config (>= 0.12).
  ref_parse "$RUN_IMAGE" || fail $EXIT_ARGS "invalid run image '$RUN_IMAGE'"
  RUN_HOST=$REF_HOST RUN_REPO=$REF_REPO
  registry_check "$RUN_HOST" || fail $EXIT_ANALYZE "cannot reach $RUN_HOST"
  _rc=0; manifest_get "$RUN_HOST" "$RUN_REPO" "${REF_DIGEST:-$REF_TAG}" "$SCRATCH/run.json" || _rc=$?
  [ $_rc = 0 ] || fail $EXIT_ANALYZE "run image $RUN_IMAGE is not readable"
  case $MANIFEST_TYPE in
    *index*|*list*) fail $EXIT_ANALYZE "run image $RUN_IMAGE is an index; the fixture analyzer needs a single-platform manifest" ;;
  esac
  RUN_REF="$RUN_HOST/$RUN_REPO@$MANIFEST_DIGEST"
  _cfg=$(json_value config "$SCRATCH/run.json" | json_value digest | json_unquote)
  blob_get "$RUN_HOST" "$RUN_REPO" "$_cfg" "$SCRATCH/run-config.json" || fail $EXIT_ANALYZE "reading run image config"
  RUN_OS=$(json_value os "$SCRATCH/run-config.json" | json_unquote)
  RUN_ARCH=$(json_value architecture "$SCRATCH/run-config.json" | json_unquote)
  RUN_VARIANT=$(json_value variant "$SCRATCH/run-config.json" | json_unquote)
  [ -n "$RUN_OS" ] || fail $EXIT_ANALYZE "run image $RUN_IMAGE has no OS in its config"
  _labels=$(json_value Labels "$SCRATCH/run-config.json")
  RUN_DISTRO_NAME=$(printf '%s' "$_labels" | json_value io.buildpacks.base.distro.name | json_unquote)
  RUN_DISTRO_VERSION=$(printf '%s' "$_labels" | json_value io.buildpacks.base.distro.version | json_unquote)

  mkdir -p "$(dirname "$ANALYZED")"
  {
    printf '[image]\n  reference = %s\n\n' "$(toml_quote "$PREVIOUS_REF")"
    printf '[run-image]\n  reference = %s\n  image = %s\n\n' "$(toml_quote "$RUN_REF")" "$(toml_quote "$RUN_IMAGE")"
    printf '  [run-image.target]\n    os = %s\n    arch = %s\n' "$(toml_quote "$RUN_OS")" "$(toml_quote "$RUN_ARCH")"
    [ -n "$RUN_VARIANT" ] && printf '    arch-variant = %s\n' "$(toml_quote "$RUN_VARIANT")"
    if [ -n "$RUN_DISTRO_NAME" ]; then
      printf '    [run-image.target.distro]\n      name = %s\n      version = %s\n' \
        "$(toml_quote "$RUN_DISTRO_NAME")" "$(toml_quote "$RUN_DISTRO_VERSION")"
    fi
  } > "$ANALYZED" || fail $EXIT_ANALYZE "writing $ANALYZED"
  info "Run image $RUN_REF ($RUN_OS/$RUN_ARCH)"
}

phase_main() {
  [ $# = 1 ] || fail $EXIT_ARGS "failed to parse arguments: received $# arguments, but expected 1"
  ensure_owner "$LAYERS" "$CACHE_DIR"
  analyze_run "$1"
  ensure_owner "$LAYERS"
}
