#!/usr/bin/env bash
# Issue 5, "live": does a live fleet rank scheduling profiles as the simulator predicts? One seeded
# trace, run (a) live, through `flotilla up` (a mixed fleet of simulated-GPU nodes behind the real
# gateway) driven by `flotilla bench`, once per profile, and (b) in `flotilla sim` with a fleet file of
# the same profiles and the same trace; prints p50/p99 TTFT and end-to-end latency of every run and
# whether both sides order the profiles the same way by p99 TTFT (docs/benchmarks.md, "Routing
# policies, live").
#
# Usage: scripts/policy-live.sh [PROFILES] [RATE] [DURATION] [POLICIES]
#   PROFILES  accelerator profiles of the nodes, one node each (default H100,T4,T4,T4,T4)
#   RATE      requests/s of the trace (default 10)
#   DURATION  length of the trace (default 60s)
#   POLICIES  scheduling profiles to compare (default round-robin,least-requests,flotilla)
# Environment: SEED (1), PROMPT_MEDIAN (256), OUTPUT_MEDIAN (128), WARMUP (15s), OUT (kept files; default a
#   temporary directory). Bounded: killed after (DURATION + WARMUP + 2 min) per profile + 5 min; fleets always stop.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flotilla="$root/flotilla"
profiles="${1:-H100,T4,T4,T4,T4}"
rate="${2:-10}"
duration="${3:-60s}"
policies="${4:-round-robin,least-requests,flotilla}"
seed="${SEED:-1}"
prompt_median="${PROMPT_MEDIAN:-256}"
output_median="${OUTPUT_MEDIAN:-128}"
warmup="${WARMUP:-15s}"
out="${OUT:-$(mktemp -d -t policy-live.XXXXXX)}"
mkdir -p "$out"

seconds() { case "$1" in *ms) echo 1 ;; *s) echo "${1%s}" ;; *m) echo $(( ${1%m} * 60 )) ;; *) echo "$1" ;; esac; }
IFS=',' read -r -a policy_list <<<"$policies"
IFS=',' read -r -a profile_list <<<"$profiles"
budget=$(( (${#policy_list[@]}) * ($(seconds "$duration") + $(seconds "$warmup") + 120) + 300 ))
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

up_pid=""
stop_fleet() {
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill -TERM "$up_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$up_pid" 2>/dev/null || true
  fi
  up_pid=""
}
( sleep "$budget" >/dev/null 2>&1 </dev/null; echo "policy-live: over the budget of $budget s, stopping" >&2; kill -TERM $$ 2>/dev/null ) &
watchdog=$!
trap 'pkill -P $watchdog 2>/dev/null; kill $watchdog 2>/dev/null || true; stop_fleet' EXIT
trap 'exit 130' INT TERM

echo "== policy live vs sim: ${#profile_list[@]} nodes ($profiles), $rate req/s for $duration, profiles $policies; files in $out"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$flotilla" bench trace --out "$out/trace.jsonl" --duration "$duration" --seed "$seed" \
    --rate "$rate" --prompt-median "$prompt_median" --output-median "$output_median" >/dev/null
{
  echo "# the live fleet of scripts/policy-live.sh: flotilla up --sim-nodes ${#profile_list[@]} --profiles $profiles"
  echo "model: sim-llama-2-7b"
  echo "nodes:"
  for p in "${profile_list[@]}"; do echo "  - profile: $p"; done
  echo "overhead:"
  echo "  request: 5ms"
  echo "  response: 2.5ms"
  echo "  iteration: 0.25ms"
} >"$out/fleet.yaml"

for policy in "${policy_list[@]}"; do
  port="$(free_port)"
  # emptied here, not by the redirection of the job below (which runs later, in the background): an
  # OUT of an earlier run holds a log saying "Flotilla is up." that the wait would otherwise read
  : >"$out/up-$policy.log"
  "$flotilla" up --sim-nodes "${#profile_list[@]}" --profiles "$profiles" --policy "$policy" --port "$port" \
      --supervisor-port "$(free_port)" --shutdown-grace 2s >"$out/up-$policy.log" 2>&1 &
  up_pid=$!
  for _ in $(seq 1 1800); do
    grep -q "Flotilla is up." "$out/up-$policy.log" && break
    kill -0 "$up_pid" 2>/dev/null || { cat "$out/up-$policy.log" >&2; echo "flotilla up exited" >&2; exit 2; }
    sleep 0.1
  done
  url="http://127.0.0.1:$port"
  # JIT warm-up at a light load (other request ids: no prompt shared with the trace)
  "$flotilla" bench --url "$url" --rate 2 --duration "$warmup" --prompt-tokens "$prompt_median" \
      --max-tokens "$output_median" --seed-requests --no-progress >"$out/warmup-$policy.txt" 2>&1
  "$flotilla" bench --url "$url" --trace "$out/trace.jsonl" --seed-requests --no-progress --out "$out/live-$policy" \
      >"$out/live-$policy.txt"
  stop_fleet
  "$flotilla" sim --fleet "$out/fleet.yaml" --trace "$out/trace.jsonl" --prompt-text bench --policy "$policy" \
      --out "$out/sim-$policy" >"$out/sim-$policy.txt"
done

python3 - "$out" "${policy_list[@]}" <<'PY'
import json, sys
out, policies = sys.argv[1], sys.argv[2:]
def figures(path):
    r = json.load(open(path))
    return [r.get(k) for k in ("median_ttft_ms", "p99_ttft_ms", "median_e2el_ms", "p99_e2el_ms", "completed")]
rows = {}
print(f"{'profile':<20}{'side':<6}{'TTFT p50':>10}{'TTFT p99':>10}{'E2E p50':>10}{'E2E p99':>10}{'done':>7}")
for p in policies:
    for side in ("live", "sim"):
        f = figures(f"{out}/{side}-{p}/result.json")
        rows[(p, side)] = f
        print(f"{p:<20}{side:<6}" + "".join(f"{v:>10.1f}" for v in f[:4]) + f"{f[4]:>7}")
order = {side: sorted(policies, key=lambda p: rows[(p, side)][1]) for side in ("live", "sim")}
print("order by p99 TTFT, live:", " < ".join(order["live"]))
print("order by p99 TTFT, sim: ", " < ".join(order["sim"]))
print("same order" if order["live"] == order["sim"] else "DIFFERENT order")
sys.exit(0 if order["live"] == order["sim"] else 1)
PY
