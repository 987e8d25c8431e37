# toml.sh - the small TOML subset the fixture lifecycle reads: `key = value` lines under [table] or
# [[array]] headers, one value per line (strings, numbers, booleans, one-line arrays). This is all the
# fixture buildpacks and the platform files (order.toml, run.toml, analyzed.toml...) need; multi-line
# arrays and inline tables are not supported and are reported, not silently misread.

# toml_get FILE TABLE KEY: the value of KEY in the first [TABLE] (TABLE "" = top level), strings
# unquoted. Prints nothing when absent.
toml_get() {
  [ -f "$1" ] || return 0
  awk -v want="$2" -v key="$3" '
    function unquote(v) {
      if (v ~ /^".*"$/) { v = substr(v, 2, length(v) - 2); gsub(/\\"/, "\"", v); gsub(/\\\\/, "\\", v) }
      else if (v ~ /^'"'"'.*'"'"'$/) { v = substr(v, 2, length(v) - 2) }
      return v
    }
    /^[ \t]*\[/ { t = $0; gsub(/^[ \t]*\[+[ \t]*|[ \t]*\]+[ \t]*$/, "", t); cur = t; next }
    cur == want {
      line = $0; sub(/^[ \t]+/, "", line)
      if (index(line, key) != 1) next
      rest = substr(line, length(key) + 1)
      if (rest !~ /^[ \t]*=/) next
      sub(/^[ \t]*=[ \t]*/, "", rest); sub(/[ \t]+#[^"]*$/, "", rest); sub(/[ \t]+$/, "", rest)
      print unquote(rest); exit
    }' "$1"
}

# toml_string_array 'VALUE': the items of a one-line array of strings, one per line.
toml_string_array() {
  printf '%s\n' "$1" | awk '{
    s = $0; sub(/^[ \t]*\[/, "", s); sub(/\][ \t]*$/, "", s)
    while (match(s, /"([^"\\]|\\.)*"/)) {
      v = substr(s, RSTART + 1, RLENGTH - 2); gsub(/\\"/, "\"", v); gsub(/\\\\/, "\\", v)
      print v; s = substr(s, RSTART + RLENGTH)
    }
  }'
}

# toml_quote STRING: a TOML basic string (also a valid JSON string).
toml_quote() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# toml_array ITEM...: a one-line TOML (and JSON) array of strings.
toml_array() {
  _out='['; _sep=
  for _i in "$@"; do _out="$_out$_sep$(toml_quote "$_i")"; _sep=', '; done
  printf '%s]' "$_out"
}

# layer_type LAYER_TOML TYPE: true when [types] TYPE = true (launch, build or cache).
layer_type() { [ "$(toml_get "$1" types "$2")" = true ]; }
