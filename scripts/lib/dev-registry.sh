# shellcheck shell=bash
# A CNCF distribution registry on loopback for dev mode, with its own config (the packaged one listens
# on every interface and demands auth) and storage under target/, stopped when the calling script exits.

start_dev_registry() {
  local port=$1 dir
  dir="$(pwd)/target/dev-registry"
  mkdir -p "$dir/data"
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; then
    echo "a registry already answers on 127.0.0.1:$port; using it"
    return 0
  fi
  cat > "$dir/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port, secret: locald-dev}
YML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  DEV_REGISTRY_PID=$!
  trap 'kill $DEV_REGISTRY_PID 2>/dev/null; wait $DEV_REGISTRY_PID 2>/dev/null || true' EXIT
  local i
  for i in $(seq 1 200); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null && return 0
    kill -0 "$DEV_REGISTRY_PID" 2>/dev/null || { cat "$dir/registry.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "the dev registry did not start on 127.0.0.1:$port; see $dir/registry.log" >&2
  exit 1
}
