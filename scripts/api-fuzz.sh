#!/usr/bin/env bash
# Fuzzes the HTTP API with schemathesis (docs/security.md, "API fuzzing"): requests generated from
# /q/openapi, every answer checked to be no 5xx and to match the documented responses. Exits non-zero on
# any finding. Not part of the Maven test run; .ci/run and scripts/test may call it.
#   LOCALD_FUZZ_URL          fuzz a locald that is already running (e.g. http://127.0.0.1:8080); otherwise the
#                            packaged locald (target/quarkus-app, built when missing) is started on a free
#                            port with a scratch data dir and stopped afterwards
#   LOCALD_FUZZ_MAX_EXAMPLES examples per operation (default 30)
#   LOCALD_FUZZ_MAX_TIME     wall-clock budget of the run in seconds (default 180)
#   LOCALD_FUZZ_SEED         seed, to replay a run
#   LOCALD_FUZZ_VENV         where schemathesis is installed (default ~/.cache/locald/venv), never system-wide
set -euo pipefail
cd "$(dirname "$0")/.."

schemathesis_version=4.32.5
venv=${LOCALD_FUZZ_VENV:-$HOME/.cache/locald/venv}
max_examples=${LOCALD_FUZZ_MAX_EXAMPLES:-30}
max_time=${LOCALD_FUZZ_MAX_TIME:-180}

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "installing schemathesis $schemathesis_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$schemathesis_version"
fi

pid=
data=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ -n "$data" ]; then
    rm -rf "$data"
  fi
}
trap cleanup EXIT

url=${LOCALD_FUZZ_URL:-}
if [ -z "$url" ]; then
  if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
    echo "packaging locald (target/quarkus-app) ..."
    ./mvnw -B -q -ntp package -DskipTests
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  data=$(mktemp -d "${TMPDIR:-/tmp}/locald-fuzz.XXXXXX")
  url="http://127.0.0.1:$port"
  # no registry is reachable from the fuzzer's references: fail pulls fast instead of retrying for minutes
  java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -Dlocald.data-dir="$data/data" \
    -Dlocald.registry.retries=0 -Dlocald.registry.connect-timeout=PT2S -Dlocald.registry.request-timeout=PT5S \
    -Dlocald.registry.docker-config="$data/absent.json" \
    -jar target/quarkus-app/quarkus-run.jar >"$data/locald.log" 2>&1 &
  pid=$!
  echo "started locald (pid $pid) on $url, log in $data/locald.log"
  for _ in $(seq 1 120); do
    if curl -fsS "$url/q/health/live" >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "locald did not start:" >&2
      cat "$data/locald.log" >&2
      exit 1
    fi
    sleep 0.5
  done
fi

args=(
  run "$url/q/openapi"
  --checks not_a_server_error,response_schema_conformance
  --max-examples "$max_examples"
  --max-time "$max_time"
  --request-timeout 30
  --workers 1
  --suppress-health-check all
)
if [ -n "${LOCALD_FUZZ_SEED:-}" ]; then
  args+=(--seed "$LOCALD_FUZZ_SEED")
fi
status=0
# the wall clock bounds the whole run, whatever schemathesis' own budget does
# run from target/: schemathesis keeps its example and crash cache in ./.schemathesis
mkdir -p target
(cd target && timeout --signal=INT $((max_time + 60)) "$venv/bin/schemathesis" "${args[@]}") || status=$?
if [ "$status" -ne 0 ] && [ -n "$data" ]; then
  echo "--- locald log (last 80 lines) ---"
  tail -n 80 "$data/locald.log"
fi
exit "$status"
