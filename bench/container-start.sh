#!/usr/bin/env bash
# Benchmark: locald starting a container (synthetic root + config.json generation + runc run of
# /bin/true + cleanup) side by side with a raw `runc run` of a prepared bundle, in one JVM, one run; and
# the same locald start with the built-in seccomp profile, with cgroup limits, and with both, interleaved.
# dev.locald.bench.ContainerStartBenchmark is not named *Test, so the suite never runs it; this command does.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
./mvnw -B -q -ntp test -Dtest=ContainerStartBenchmark -Dbenchmark.runs="$RUNS" -Dsurefire.failIfNoSpecifiedTests=false \
  | grep -A9 'BENCHMARK'
