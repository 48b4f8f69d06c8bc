#!/usr/bin/env python3
"""Summarises the cells.json of `flotilla sim matrix` for docs/benchmarks.md: per fleet and workload a
table of p99 TTFT (ms) by load and policy with the best in bold, then how often OURS is the best or
within 3 % of the best per metric, and the half-of-BASELINE rule on heterogeneous fleets at >= 80 % load.

Usage: scripts/matrix-summary.py CELLS_JSON [OURS] [BASELINE]
"""
import json
import sys
from collections import defaultdict

cells = json.load(open(sys.argv[1]))
ours = sys.argv[2] if len(sys.argv) > 2 else "flotilla"
baseline = sys.argv[3] if len(sys.argv) > 3 else "round-robin"
policies = list(dict.fromkeys(c["policy"] for c in cells))
by = defaultdict(dict)
for c in cells:
    by[(c["fleet"], c["workload"], c["load_percent"])][c["policy"]] = c

LOWER = {"p50_ttft_ms": "p50 TTFT", "p99_ttft_ms": "p99 TTFT", "p99_itl_ms": "p99 ITL"}
HIGHER = {"request_throughput": "throughput", "request_goodput": "goodput"}


def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


groups = list(dict.fromkeys((f, w) for f, w, _ in by))
for fleet, workload in groups:
    print(f"\n**{fleet} / {workload}**: p99 TTFT (ms); failed requests in brackets where any\n")
    print("| load | " + " | ".join(policies) + " |")
    print("|---" * (len(policies) + 1) + "|")
    for (f, w, load), row in by.items():
        if (f, w) != (fleet, workload):
            continue
        best = min(row[p]["p99_ttft_ms"] for p in policies)
        out = []
        for p in policies:
            c = row[p]
            v = fmt(c["p99_ttft_ms"])
            v = f"**{v}**" if c["p99_ttft_ms"] == best else v
            if c["failed"]:
                v += f" [{c['failed']}]"
            out.append(v)
        print(f"| {load:.0f}% | " + " | ".join(out) + " |")

near = defaultdict(lambda: [0, 0])
half = []
for (fleet, workload, load), row in by.items():
    if ours not in row:
        continue
    o = row[ours]
    for k, name in LOWER.items():
        best = min(r[k] for r in row.values())
        near[name][1] += 1
        near[name][0] += o[k] <= best * 1.03
    for k, name in HIGHER.items():
        best = max(r[k] for r in row.values())
        near[name][1] += 1
        near[name][0] += o[k] >= best * 0.97
    if o["heterogeneous"] and load >= 80 and baseline in row:
        half.append((fleet, workload, load, o["p99_ttft_ms"], row[baseline]["p99_ttft_ms"], o["failed"],
                     row[baseline]["failed"]))

print(f"\n**`{ours}` against the best policy of each cell** (best or within 3 %):\n")
print("| metric | cells | share |")
print("|---|---:|---:|")
for name, (k, n) in near.items():
    print(f"| {name} | {k} of {n} | {100 * k / n:.0f} % |")
print(f"\n**Heterogeneous fleets at 80 % load and above: `{ours}`'s p99 TTFT against `{baseline}`'s** "
      "(the rule: at most half)\n")
print(f"| fleet | workload | load | {ours} (ms) | {baseline} (ms) | ratio | holds | failed ({ours} / {baseline}) |")
print("|---|---|---:|---:|---:|---:|---|---|")
for fleet, workload, load, a, b, fa, fb in half:
    print(f"| {fleet} | {workload} | {load:.0f}% | {fmt(a)} | {fmt(b)} | {a / b:.3f} | {'yes' if a <= b / 2 else 'no'} | {fa} / {fb} |")
