# registry.sh - an OCI distribution client in busybox sh + nc: HTTP/1.1 with "Connection: close",
# Content-Length bodies only, plain HTTP only. Credentials come from CNB_REGISTRY_AUTH (a JSON object
# {"host:port": "<Authorization header value>"}) and are never printed.
# Needs: nc timeout awk sed tail stat sha256sum. Uses $SCRATCH (make_scratch) for requests/responses.

ACCEPT_MANIFESTS='application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json'

# ref_parse REF: REF_HOST, REF_REPO and either REF_TAG or REF_DIGEST. A first component without "."
# or ":" (and not localhost) is a Docker Hub name, as in go-containerregistry.
ref_parse() {
  _r=$1; REF_DIGEST=; REF_TAG=
  case $_r in
    *@sha256:*) REF_DIGEST=${_r#*@}; _r=${_r%%@*} ;;
  esac
  _rp_host=${_r%%/*}
  case $_r in
    */*) case $_rp_host in *.*|*:*|localhost) REF_HOST=$_rp_host; _r=${_r#*/} ;; *) REF_HOST=index.docker.io ;; esac ;;
    *) REF_HOST=index.docker.io; _r=library/$_r ;;
  esac
  case ${_r##*/} in
    *:*) REF_TAG=${_r##*:}; _r=${_r%:*} ;;
  esac
  [ -n "$REF_DIGEST" ] || [ -n "$REF_TAG" ] || REF_TAG=latest
  REF_REPO=$_r
  case $REF_REPO in ''|*[!a-z0-9._/-]*) return 1 ;; esac
  return 0
}

# registry_check HOST: the fixture speaks plain HTTP only, which the real lifecycle also does for
# loopback registries and for those named in CNB_INSECURE_REGISTRIES / -insecure-registry.
registry_check() {
  case $1 in
    localhost|localhost:*|127.*) return 0 ;;
  esac
  printf '%s\n' "$INSECURE_REGISTRIES" | grep -qxF "$1" && return 0
  printf 'registry %s is not insecure: the fixture lifecycle has no TLS; name it in CNB_INSECURE_REGISTRIES\n' "$1" >&2
  return 1
}

# registry_auth HOST: the Authorization header value for HOST from CNB_REGISTRY_AUTH, or nothing.
registry_auth() {
  [ -n "${CNB_REGISTRY_AUTH:-}" ] || return 0
  _v=$(printf '%s' "$CNB_REGISTRY_AUTH" | json_value "$1")
  [ -n "$_v" ] && printf '%s' "$_v" | json_unquote
  return 0
}

# http_req HOST METHOD PATH [BODYFILE|-] [HEADER...]
# Sets HTTP_STATUS, HTTP_LOCATION, HTTP_DIGEST, HTTP_CTYPE; the body lands in $SCRATCH/resp.body.
http_req() {
  _host=$1 _m=$2 _p=$3 _b=${4:--}; shift 3; [ $# -gt 0 ] && shift
  _h=$SCRATCH/req.head _r=$SCRATCH/resp
  _auth=$(registry_auth "$_host")
  {
    printf '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nUser-Agent: fixture-lifecycle/%s\r\n' \
      "$_m" "$_p" "$_host" "$LIFECYCLE_VERSION"
    [ -n "$_auth" ] && printf 'Authorization: %s\r\n' "$_auth"
    for _x in "$@"; do printf '%s\r\n' "$_x"; done
    if [ "$_b" = - ]; then
      case $_m in POST|PUT|PATCH) printf 'Content-Length: 0\r\n' ;; esac
    else printf 'Content-Length: %s\r\n' "$(stat -c %s "$_b")"; fi
    printf '\r\n'
  } > "$_h"
  _addr=${_host%:*} _port=${_host##*:}
  [ "$_addr" = "$_host" ] && _port=80
  [ "$_addr" = localhost ] && _addr=127.0.0.1
  if [ "$_b" = - ]; then set -- "$_h"; else set -- "$_h" "$_b"; fi
  # busybox nc has no -q: it half-closes on stdin EOF and exits when the server closes the
  # connection (we asked for Connection: close). -w bounds the connect, timeout the whole exchange.
  if ! cat "$@" | timeout "${HTTP_TIMEOUT:-300}" nc -w 10 "$_addr" "$_port" > "$_r"; then
    HTTP_STATUS=000
    printf '%s %s%s: connection failed\n' "$_m" "$_host" "$_p" >&2
    return 1
  fi
  # The head is text; the body may be binary, so cut it by byte offset instead of by lines.
  _hlen=$(awk '{ n += length($0) + 1; sub(/\r$/, ""); if ($0 == "") { print n; exit } }' "$_r")
  if [ -z "$_hlen" ]; then
    HTTP_STATUS=000
    printf '%s %s%s: no HTTP response head\n' "$_m" "$_host" "$_p" >&2
    return 1
  fi
  head -c "$_hlen" "$_r" | tr -d '\r' > "$_r.head"
  tail -c +"$((_hlen + 1))" "$_r" > "$_r.body"
  HTTP_STATUS=$(sed -n '1s/^HTTP\/1\.[01] \([0-9][0-9][0-9]\).*/\1/p' "$_r.head")
  HTTP_LOCATION=$(sed -n 's/^[Ll][Oo][Cc][Aa][Tt][Ii][Oo][Nn]: *//p' "$_r.head")
  HTTP_DIGEST=$(sed -n 's/^[Dd][Oo][Cc][Kk][Ee][Rr]-[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Dd][Ii][Gg][Ee][Ss][Tt]: *//p' "$_r.head")
  HTTP_CTYPE=$(sed -n 's/^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Tt][Yy][Pp][Ee]: *//p' "$_r.head")
  if grep -qi '^transfer-encoding: *chunked' "$_r.head"; then
    printf '%s %s%s: chunked responses are not supported by the fixture client\n' "$_m" "$_host" "$_p" >&2
    return 1
  fi
  [ -n "$HTTP_STATUS" ] || { HTTP_STATUS=000; echo "$_m $_host$_p: no status line" >&2; return 1; }
  return 0
}

# expect_status CODE WHAT: explain a wrong status with the registry's error body.
expect_status() {
  [ "$HTTP_STATUS" = "$1" ] && return 0
  printf 'registry: %s -> HTTP %s (expected %s): %s\n' "$2" "$HTTP_STATUS" "$1" \
    "$(head -c 500 "$SCRATCH/resp.body" 2>/dev/null)" >&2
  return 1
}

strip_origin() { # http://h:p/v2/... -> /v2/...
  case $1 in http://*|https://*) printf '/%s' "${1#*://*/}" ;; *) printf '%s' "$1" ;; esac
}

sha256_of() { sha256sum "$1" | awk '{ print "sha256:" $1 }'; }

# manifest_get HOST REPO REF OUTFILE: sets MANIFEST_DIGEST and MANIFEST_TYPE; 1 on 404, 2 on other
# errors (the caller decides whether a missing image is fine).
manifest_get() {
  http_req "$1" GET "/v2/$2/manifests/$3" - "Accept: $ACCEPT_MANIFESTS" || return 2
  [ "$HTTP_STATUS" = 404 ] && return 1
  expect_status 200 "GET manifest $1/$2:$3" || return 2
  cp "$SCRATCH/resp.body" "$4"
  MANIFEST_DIGEST=$(sha256_of "$4")
  MANIFEST_TYPE=$(json_value mediaType "$4" | json_unquote)
  [ -n "$MANIFEST_TYPE" ] || MANIFEST_TYPE=${HTTP_CTYPE%%;*}
  return 0
}

# blob_get HOST REPO DIGEST OUTFILE: downloads and verifies a blob.
blob_get() {
  http_req "$1" GET "/v2/$2/blobs/$3" || return 1
  expect_status 200 "GET blob $3" || return 1
  cp "$SCRATCH/resp.body" "$4"
  [ "$(sha256_of "$4")" = "$3" ] || { echo "blob $3 from $1/$2 does not match its digest" >&2; return 1; }
}

blob_exists() { http_req "$1" HEAD "/v2/$2/blobs/$3" && [ "$HTTP_STATUS" = 200 ]; }

# blob_upload HOST REPO FILE: POST + monolithic PUT, unless the blob is already there. Prints digest.
blob_upload() {
  _d=$(sha256_of "$3")
  if blob_exists "$1" "$2" "$_d"; then printf '%s\n' "$_d"; return 0; fi
  http_req "$1" POST "/v2/$2/blobs/uploads/" && expect_status 202 "start upload to $1/$2" || return 1
  _loc=$(strip_origin "$HTTP_LOCATION")
  case $_loc in *\?*) _loc="$_loc&digest=$_d" ;; *) _loc="$_loc?digest=$_d" ;; esac
  http_req "$1" PUT "$_loc" "$3" 'Content-Type: application/octet-stream' && expect_status 201 "PUT blob $_d" || return 1
  printf '%s\n' "$_d"
}

# blob_mount HOST REPO DIGEST FROMREPO: cross-repository mount. 0 when mounted (201); 2 when the
# registry opened an upload instead (202: blob not readable in FROMREPO), which is cancelled.
blob_mount() {
  http_req "$1" POST "/v2/$2/blobs/uploads/?mount=$3&from=$4" || return 1
  case $HTTP_STATUS in
    201) return 0 ;;
    202) http_req "$1" DELETE "$(strip_origin "$HTTP_LOCATION")"; return 2 ;;
    *) expect_status 201 "mount $3 from $4"; return 1 ;;
  esac
}

# check_write_access HOST REPO: opens an upload and cancels it, as the analyzer's access check does.
check_write_access() {
  http_req "$1" POST "/v2/$2/blobs/uploads/" && expect_status 202 "write access to $1/$2" || return 1
  http_req "$1" DELETE "$(strip_origin "$HTTP_LOCATION")"
  return 0
}

# manifest_put HOST REPO REF FILE MEDIATYPE: prints the digest the registry reports.
manifest_put() {
  http_req "$1" PUT "/v2/$2/manifests/$3" "$4" "Content-Type: $5" && expect_status 201 "PUT manifest $1/$2:$3" || return 1
  if [ -n "$HTTP_DIGEST" ]; then printf '%s\n' "$HTTP_DIGEST"; else sha256_of "$4"; fi
}
