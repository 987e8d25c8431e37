# cache.sh - the volume cache (cache/volume_cache.go): <cache>/committed holds
# io.buildpacks.lifecycle.cache.metadata and one <diffID>.tar per cached layer; <cache>/staging is
# wiped whenever a phase opens the cache; a commit renames staging to committed (via
# committed-backup). The metadata JSON is written one layer per line so that sh can read it back.

CACHE_METADATA=io.buildpacks.lifecycle.cache.metadata

# cache_open: the directory must already exist, as for the real lifecycle.
cache_open() {
  [ -d "$CACHE_DIR" ] || { printf 'create volume cache: cache directory %s does not exist\n' "$CACHE_DIR" >&2; return 1; }
  rm -rf "$CACHE_DIR/staging" && mkdir -p "$CACHE_DIR/staging" "$CACHE_DIR/committed"
}

# cache_layers: "bp-key<TAB>version<TAB>layer<TAB>sha<TAB>build<TAB>launch<TAB>cache<TAB>data-json" lines
# from the committed metadata (written by cache_write_metadata below).
cache_layers() {
  _meta=$CACHE_DIR/committed/$CACHE_METADATA
  [ -f "$_meta" ] || return 0
  awk '
    /^\{"key":/ { k = $0; sub(/^\{"key":"/, "", k); sub(/".*/, "", k); v = $0; sub(/.*"version":"/, "", v); sub(/".*/, "", v); next }
    /^"[^"]*":\{"sha":/ {
      l = $0; name = l; sub(/^"/, "", name); sub(/".*/, "", name)
      sha = l; sub(/.*"sha":"/, "", sha); sub(/".*/, "", sha)
      b = (l ~ /"build":true/) ? "true" : "false"; la = (l ~ /"launch":true/) ? "true" : "false"; c = (l ~ /"cache":true/) ? "true" : "false"
      d = l; sub(/.*"data":/, "", d); sub(/,"build":.*/, "", d)
      print k "\t" v "\t" name "\t" sha "\t" b "\t" la "\t" c "\t" d
    }' "$_meta"
}

# metadata_json LAYER_TOML: the flat [metadata] table as a JSON object (nested tables are not carried).
metadata_json() {
  awk '
    /^[ \t]*\[/ { t = $0; gsub(/[][ \t]/, "", t); inmeta = (t == "metadata"); next }
    inmeta && /=/ {
      k = $0; sub(/[ \t]*=.*/, "", k); gsub(/^[ \t]+|"/, "", k); v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
      if (v ~ /^'"'"'/) { gsub(/'"'"'/, "", v); gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v); v = "\"" v "\"" }
      out = out (out == "" ? "" : ",") "\"" k "\":" v
    }
    END { printf "{%s}", out }' "$1"
}

# metadata_toml JSON: a flat JSON object back to TOML key = value lines.
metadata_toml() {
  printf '%s\n' "$1" | awk '{
    s = $0; sub(/^\{/, "", s); sub(/\}$/, "", s)
    while (match(s, /"[^"]*":("([^"\\]|\\.)*"|[^,]*)/)) {
      kv = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
      k = kv; sub(/^"/, "", k); sub(/".*/, "", k); v = kv; sub(/^"[^"]*":/, "", v)
      print k " = " v
    }
  }'
}
