#!/usr/bin/env bash
# The long form of ChaosIT (issue 6): `flotilla up` with four simulated T4 nodes under a steady load
# of streamed and non-streamed requests (three client threads) while the busiest node is killed with
# kill -9 every 5 s for DURATION (default 5m; 30s is the form in ./mvnw verify), then a node frozen
# with SIGSTOP, then every node down. Prints the counts: requests, failures, streams continued
# (flotilla_stream_continuations_total), retries and retry amplification, restarts, latencies of
# undisturbed and continued streams, and the time from kill -9 to back in rotation.
# Loopback only. Usage: scripts/chaos.sh [DURATION like 90s, 5m]
set -euo pipefail
duration="${1:-5m}"
if ! [[ "$duration" =~ ^[0-9]+[sm]$ ]]; then
  echo "DURATION: '$duration' (expected a number with s or m, e.g. 90s or 5m)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
log="$(mktemp -t flotilla-chaos.XXXXXX.log)"
echo "chaos for $duration; Maven output in $log"
status=0
./mvnw -q -B -o verify -pl flotilla-app -am -Dit.test=ChaosIT -Dtest=NONE \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Djazzer.skip \
  -Dchaos.duration="$duration" >"$log" 2>&1 || status=$?
report=flotilla-app/target/failsafe-reports/dev.flotilla.app.ChaosIT-output.txt
if [[ -f "$report" ]]; then
  grep -E '^(CHAOS|  )' "$report" || true
else
  grep -E '^(CHAOS|  )' "$log" || true
fi
grep -E 'Tests run:|FAIL|expected|Expecting' "$log" | head -20 || true
if [[ $status -ne 0 ]]; then
  echo "chaos: FAILED (exit $status); see $log" >&2
fi
exit $status
