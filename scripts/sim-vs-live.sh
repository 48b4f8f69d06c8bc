#!/usr/bin/env bash
# Does `flotilla sim` predict a live fleet? Runs one seeded trace against (a) a live `flotilla up` fleet of
# simulated-GPU nodes through the real gateway, driven by `flotilla bench`, and (b) `flotilla sim` with a
# fleet file of the same profiles, in the same order, with the same policy, prompts and per-request seeds;
# prints both reports and the relative differences of p50/p90 TTFT and end-to-end latency; exits 1 when
# one differs by more than TOLERANCE (docs/benchmarks.md, "Simulator vs live fleet").
#
# Usage: scripts/sim-vs-live.sh [PROFILES] [RATE] [DURATION]
#   PROFILES  accelerator profiles of the nodes, one node each, in order (default H100,L4)
#   RATE      requests/s of the trace (default 4)
#   DURATION  length of the trace (default 60s)
# Environment: TOLERANCE (0.10), WARMUP (20s of load before measuring, for the JIT), SEED (1),
#   PROMPT_MEDIAN (256), OUTPUT_MEDIAN (128; the simulated text ends after 1-6 sentences, so this is a cap),
#   OVERHEAD_REQUEST / OVERHEAD_RESPONSE / OVERHEAD_ITERATION (the fleet file's overheads, calibrated in docs/benchmarks.md),
#   OUT (a directory to keep everything in; default a temporary one).
# Bounded: the whole run is killed after DURATION + WARMUP + 5 minutes; the fleet is always stopped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flotilla="$root/flotilla"
profiles="${1:-H100,L4}"
rate="${2:-4}"
duration="${3:-60s}"
tolerance="${TOLERANCE:-0.10}"
warmup="${WARMUP:-20s}"
seed="${SEED:-1}"
prompt_median="${PROMPT_MEDIAN:-256}"
output_median="${OUTPUT_MEDIAN:-128}"
overhead_request="${OVERHEAD_REQUEST:-5ms}"
overhead_response="${OVERHEAD_RESPONSE:-2.5ms}"
overhead_iteration="${OVERHEAD_ITERATION:-0.25ms}"
out="${OUT:-$(mktemp -d -t sim-vs-live.XXXXXX)}"
mkdir -p "$out"

seconds() { # 90s, 2m, 1h -> seconds
  case "$1" in
    *ms) echo 1 ;;
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *h) echo $(( ${1%h} * 3600 )) ;;
    *) echo "$1" ;;
  esac
}
budget=$(( $(seconds "$duration") + $(seconds "$warmup") + 300 ))

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

IFS=',' read -r -a profile_list <<<"$profiles"
nodes=${#profile_list[@]}
port="$(free_port)"
supervisor_port="$(free_port)"
url="http://127.0.0.1:$port"

up_pid=""
stop_fleet() {
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill -TERM "$up_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$up_pid" 2>/dev/null || true
  fi
  up_pid=""
}
trap stop_fleet EXIT
trap 'exit 130' INT TERM

# the watchdog: ends this script (and so the fleet, through the trap) when the budget runs out
( sleep "$budget" >/dev/null 2>&1 </dev/null; echo "sim-vs-live: over the budget of $budget s, stopping" >&2; kill -TERM $$ 2>/dev/null ) &
watchdog=$!
trap 'pkill -P $watchdog 2>/dev/null; kill $watchdog 2>/dev/null || true; stop_fleet' EXIT

echo "== sim vs live: $nodes nodes ($profiles), $rate req/s for $duration, tolerance $tolerance, files in $out"

: >"$out/up.log" # emptied before the background job starts: an OUT of an earlier run says "Flotilla is up."
"$flotilla" up --sim-nodes "$nodes" --profiles "$profiles" --port "$port" --supervisor-port "$supervisor_port" \
    --shutdown-grace 2s >"$out/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 1800); do
  grep -q "Flotilla is up." "$out/up.log" && break
  kill -0 "$up_pid" 2>/dev/null || { cat "$out/up.log" >&2; echo "flotilla up exited" >&2; exit 2; }
  sleep 0.1
done
grep -q "Flotilla is up." "$out/up.log" || { cat "$out/up.log" >&2; echo "flotilla up did not come up in 180 s" >&2; exit 2; }

"$flotilla" bench trace --out "$out/trace.jsonl" --duration "$duration" --seed "$seed" \
    --rate "$rate" --prompt-median "$prompt_median" --output-median "$output_median" >/dev/null

# warm the gateway's and the nodes' JIT with requests of other ids (req-N: no prompt shared with the trace's rN)
"$flotilla" bench --url "$url" --rate "$rate" --duration "$warmup" --prompt-tokens "$prompt_median" \
    --max-tokens "$output_median" --seed-requests --no-progress >"$out/warmup.txt" 2>&1

"$flotilla" bench --url "$url" --trace "$out/trace.jsonl" --seed-requests --no-progress --out "$out/live" \
    | tee "$out/live.txt"
stop_fleet

{
  echo "# the live fleet of scripts/sim-vs-live.sh: flotilla up --sim-nodes $nodes --profiles $profiles"
  echo "model: sim-llama-2-7b"
  echo "nodes:"
  for p in "${profile_list[@]}"; do
    echo "  - profile: $p"
  done
  echo "overhead:"
  echo "  request: $overhead_request"
  echo "  response: $overhead_response"
  echo "  iteration: $overhead_iteration"
} >"$out/fleet.yaml"

set +e
"$flotilla" sim --fleet "$out/fleet.yaml" --trace "$out/trace.jsonl" --prompt-text bench --out "$out/sim" \
    --compare-live "$out/live/result.json" --tolerance "$tolerance" | tee "$out/sim.txt"
status=${PIPESTATUS[0]}
set -e
exit "$status"
