# json.sh - just enough JSON for registry manifests, image configs and CNB_REGISTRY_AUTH, in awk.
# Values are found by key name and copied verbatim, so the fixture never has to re-serialise data it
# does not understand (e.g. a run image's layer descriptors are copied into the app manifest as is).

# json_value KEY [FILE]: the raw JSON text of the value of the first "KEY": at any depth (balanced
# over strings, objects and arrays). Prints nothing when absent.
json_value() {
  awk -v key="\"$1\"" '
    { buf = buf $0 "\n" }
    END {
      n = length(buf); i = 1
      while (i <= n) {
        c = substr(buf, i, 1)
        if (c == "\"") {
          j = i + 1
          while (j <= n) { d = substr(buf, j, 1); if (d == "\\") { j += 2; continue } if (d == "\"") break; j++ }
          s = substr(buf, i, j - i + 1); i = j + 1
          if (s == key) {
            while (substr(buf, i, 1) ~ /[ \t\r\n]/) i++
            if (substr(buf, i, 1) != ":") continue
            i++
            while (substr(buf, i, 1) ~ /[ \t\r\n]/) i++
            start = i; depth = 0
            while (i <= n) {
              c = substr(buf, i, 1)
              if (c == "\"") {
                j = i + 1
                while (j <= n) { d = substr(buf, j, 1); if (d == "\\") { j += 2; continue } if (d == "\"") break; j++ }
                i = j + 1
                if (depth == 0) break
                continue
              }
              if (c == "{" || c == "[") depth++
              else if (c == "}" || c == "]") { depth--; if (depth == 0) { i++; break } if (depth < 0) break }
              else if (depth == 0 && (c == "," || c ~ /[ \t\r\n]/)) break
              i++
            }
            printf "%s", substr(buf, start, i - start); exit
          }
          continue
        }
        i++
      }
    }' ${2:+"$2"}
}

# json_unquote: a JSON string value (with its quotes) to raw text; handles \" \\ \/ \n \t.
json_unquote() {
  awk '{ buf = buf (NR > 1 ? "\n" : "") $0 } END {
    s = buf; sub(/^"/, "", s); sub(/"$/, "", s); out = ""
    while ((k = index(s, "\\")) > 0) {
      out = out substr(s, 1, k - 1); e = substr(s, k + 1, 1)
      if (e == "n") out = out "\n"; else if (e == "t") out = out "\t"; else out = out e
      s = substr(s, k + 2)
    }
    printf "%s", out s
  }'
}

# json_string_items: the strings of a JSON array of strings, one per line (escapes kept).
json_string_items() {
  awk '{ buf = buf $0 } END {
    s = buf
    while (match(s, /"([^"\\]|\\.)*"/)) { print substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
  }'
}

# json_quote STRING: a JSON string literal.
json_quote() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }')"
}
