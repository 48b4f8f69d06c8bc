#!/usr/bin/env bash
# Scrape cost and freshness at N nodes (issue 3), nodes in a process of their own ("off the
# gateway's box" as far as CPU accounting goes: the gateway's CPU time is read from its own /proc
# entry). Starts `flotilla node --profile L4 --replicas N` (N simulated nodes in one JVM, ports
# BASE..BASE+N-1), a gateway scraping them every 500 ms, runs scripts/scrape-cost.py, stops both.
# Everything binds to 127.0.0.1. Usage: scripts/scrape-cost-fleet.sh N [WINDOW_SECONDS]
set -euo pipefail
n="${1:?usage: scripts/scrape-cost-fleet.sh N [WINDOW_SECONDS]}"
window="${2:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
base=19100
gwport=19090
work="$(mktemp -d /tmp/flotilla-scrape-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$root/flotilla" --help >/dev/null   # builds the jar when it is missing or stale

"$root/flotilla" node --profile L4 --replicas "$n" --port "$base" >"$work/nodes.log" 2>&1 &
pids+=($!)   # ./flotilla execs java: this is the JVM's pid
{
  echo "listen: { host: 127.0.0.1, port: $gwport, eventLoops: 1 }"
  echo "telemetry: { interval: 500ms }"
  echo "nodes:"
  for ((i = 0; i < n; i++)); do
    echo "  - { name: l4-$i, url: http://127.0.0.1:$((base + i)) }"
  done
} >"$work/gateway.yaml"
until [ "$(grep -c 'is listening on' "$work/nodes.log" || true)" -ge "$n" ]; do
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/nodes.log"; exit 1; }
  sleep 0.5
done
"$root/flotilla" gateway --config "$work/gateway.yaml" >"$work/gateway.log" 2>&1 &
pids+=($!)
until curl -sf "http://127.0.0.1:$gwport/admin/fleet" >/dev/null; do
  kill -0 "${pids[1]}" 2>/dev/null || { cat "$work/gateway.log"; exit 1; }
  sleep 0.5
done
sleep 30   # let every node pass its first checks, the scrape rhythm settle and the JIT compile the hot paths
GATEWAY_PID="${pids[1]}" python3 "$root/scripts/scrape-cost.py" "$gwport" "$window"
