#!/usr/bin/env bash
# Issue 5's comparison of routing policies in the simulator: three fleets, four workloads, loads of
# 50/80/95/110 % of each fleet's capacity, every policy on the same traces (docs/sim.md,
# "Comparing policies"). Writes cells.csv, cells.json, report.md, plots/ and, with OURS, check.md.
#
#   POLICIES=round-robin,least-requests,flotilla OURS=flotilla examples/sim-matrix.sh
#
# Environment: POLICIES (default least-requests), OURS (checked policy, default none), BASELINE
# (default round-robin), DURATION (default 5m), OUT (default sim-matrix-out), SEED (default 0),
# THREADS (default: the available processors).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fleets="$root/examples/fleets/8xA100.yaml,$root/examples/fleets/2xH100+4xA100+8xL4.yaml,$root/examples/fleets/1xH100+8xT4.yaml"
args=(sim matrix --fleets "$fleets" --workloads short-chat,long-prompt,multi-turn,two-tenants
      --loads 50,80,95,110 --policies "${POLICIES:-least-requests}" --duration "${DURATION:-5m}"
      --out "${OUT:-sim-matrix-out}" --seed "${SEED:-0}")
[ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
if [ -n "${OURS:-}" ]; then
  args+=(--ours "$OURS" --baseline "${BASELINE:-round-robin}")
fi
exec "$root/flotilla" "${args[@]}"
