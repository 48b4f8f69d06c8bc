#!/usr/bin/env bash
# The long form of ChaosIT (issue 6): `flotilla up` with four simulated T4 nodes under a steady load
# of streamed and non-streamed requests (three client threads) while the busiest node is killed with
# kill -9, the next kill only once every node is back in the gateway's rotation, for SECONDS
# (default 300); then a node frozen with SIGSTOP, every node down, and nodes answering 500s,
# malformed SSE or closing connections mid-header (flotilla node --fault). Prints the figures:
# requests, failures, streams continued, retries and retry amplification, restarts, stream
# durations and longest pauses (undisturbed vs continued), kill -9 to back in rotation; and the
# machine's load while it ran. Loopback only.
# Usage: scripts/chaos.sh [SECONDS]   (the short form is part of ./mvnw verify)
set -euo pipefail
seconds="${1:-300}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 10 )); then
  echo "SECONDS: '$seconds' (expected a whole number of seconds, at least 10)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
log="$(mktemp -t flotilla-chaos.XXXXXX.log)"
echo "chaos: kill loop for ${seconds} s; Maven output in $log"
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'); before: $(uptime)"
status=0
# -am builds the modules flotilla-app needs from this checkout; the offline flag is left to the caller's settings
./mvnw -q -B verify -pl flotilla-app -am -Dit.test=ChaosIT -Dtest=NONE \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Djazzer.skip \
  -Dchaos.duration="${seconds}s" >"$log" 2>&1 &
mvn_pid=$!
# the load average once a minute while it runs, for the record
while kill -0 "$mvn_pid" 2>/dev/null; do
  for _ in $(seq 60); do kill -0 "$mvn_pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$mvn_pid" 2>/dev/null && echo "during: $(uptime)"
done
wait "$mvn_pid" || status=$?
grep -E '^(CHAOS|  )' "$log" || true
grep -E 'Tests run:|FAIL|expected|Expecting' "$log" | head -20 || true
if [[ $status -ne 0 ]]; then
  echo "chaos: FAILED (exit $status); see $log" >&2
fi
exit $status
