#!/usr/bin/env python3
"""Telemetry scrape cost and freshness of a running gateway (issue 3).

Usage: scripts/scrape-cost.py GATEWAY_PORT WINDOW_SECONDS, with a fleet already up, e.g.
    ./flotilla up --sim-nodes 8 --profiles H100,L4 --port 18300 &
    scripts/scrape-cost.py 18300 60
First window: the gateway's CPU time (from /proc) over the scrape cycles its own metrics count, with
no other traffic (GATEWAY_PID names the gateway process, else the one `pgrep -f "Flotilla gateway"`
finds). Second (half as long): /admin/fleet read at random moments, the age of each node's
data at read time.
"""
import json, os, random, re, subprocess, sys, time, urllib.request
port = int(sys.argv[1]); window = float(sys.argv[2])
gw = os.environ.get("GATEWAY_PID") or subprocess.check_output(["pgrep", "-f", "Flotilla gateway"]).split()[0].decode()
def ticks():
    f = open(f"/proc/{gw}/stat").read().split(")")[1].split()
    return int(f[11]) + int(f[12])
def scrapes():
    t = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    counts = [float(m) for m in re.findall(r'flotilla_scrape_duration_seconds_count\{node="[^"]+"\} (\S+)', t)]
    fails = sum(float(m) for m in re.findall(r'flotilla_scrape_failures_total\{node="[^"]+"\} (\S+)', t))
    return counts, fails
c0, f0 = scrapes(); t0 = ticks(); w0 = time.time()
time.sleep(window)
t1 = ticks(); c1, f1 = scrapes(); w1 = time.time()
nodes = len(c0); cycles = (sum(c1) - sum(c0)) / nodes
cpu_s = (t1 - t0) / 100.0
print(f"nodes {nodes}: {cycles:.0f} scrape cycles in {w1-w0:.1f} s, gateway CPU {cpu_s:.2f} s "
      f"= {1000*cpu_s/cycles:.2f} ms per cycle ({1000*cpu_s/cycles/nodes:.3f} ms per node scrape), "
      f"CPU share {100*cpu_s/(w1-w0):.1f}% of one core, failures {f1-f0:.0f}")
ages = []
end = time.time() + window / 2
while time.time() < end:
    d = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/fleet"))
    ages += [n["age_ms"] for n in d["nodes"] if n["age_ms"] is not None]
    time.sleep(random.uniform(0, 0.1))
ages.sort()
pct = lambda p: ages[min(len(ages) - 1, int(p / 100 * len(ages)))]
print(f"freshness: {len(ages)} readings, age p50 {pct(50)} ms, p99 {pct(99)} ms, max {ages[-1]} ms")
