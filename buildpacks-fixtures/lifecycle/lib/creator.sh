# creator.sh - `creator [flags] <image>`: analyze, detect, restore, build and export in one process
# (contract §2.10). The real creator starts as root and drops to the CNB user before running
# buildpacks; busybox cannot drop privileges without /etc/passwd, so the fixture creator must be
# started as the CNB user (locald runs every phase that way) and refuses root like detector/builder.
. "$LIB/analyzer.sh"
. "$LIB/builder.sh"    # also detector.sh, restorer.sh, cache.sh
. "$LIB/exporter.sh"

phase_main() {
  [ $# = 1 ] || fail $EXIT_ARGS "failed to parse arguments: received $# arguments, but expected 1"
  refuse_root
  is_true "${F_skip_restore:-${CNB_SKIP_RESTORE:-false}}" && SKIP_RESTORE=1 || SKIP_RESTORE=0
  _images=$1
  for _t in $(printf '%s\n' "${F_tag:-}"); do _images="$_images $_t"; done
  info "===> ANALYZING"
  analyze_run "$1"
  info "===> DETECTING"
  detect_run
  info "===> RESTORING"
  if [ $SKIP_RESTORE = 1 ]; then info "Skipping cache restore (-skip-restore)"; else restore_run; fi
  info "===> BUILDING"
  build_run
  info "===> EXPORTING"
  # shellcheck disable=SC2086
  export_run $_images
}
