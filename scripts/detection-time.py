#!/usr/bin/env python3
"""Detection time (issue 3): from `kill -9` of a node process to the gateway taking it out of rotation.

Usage: scripts/detection-time.py [TRIALS]   (run from the repository root; needs the built jar)
Starts three simulated H100 nodes and a gateway (default health settings: checks every 1 s) on
127.0.0.1 ports 19200-19203, then per trial: kill -9 one node, poll /admin/fleet every 5 ms until
that node's state is 'unhealthy', restart it on the same port, wait until it is healthy again.
Runs the trials once without traffic and once with 4 clients sending short completions without
pause; reports p50/max detection time and how many client requests failed. Stops everything at the end.
"""
import json, os, signal, statistics, subprocess, sys, tempfile, threading, time, urllib.request

TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"
JAR = "flotilla-app/target/flotilla.jar"
GW = 19200
NODES = {f"n{i}": 19200 + i for i in (1, 2, 3)}
procs = {}

def start_node(name):
    procs[name] = subprocess.Popen([JAVA, "-Xmx256m", "-jar", JAR, "node", "--profile", "H100", "--name", name,
                                    "--port", str(NODES[name])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def fleet():
    with urllib.request.urlopen(f"http://127.0.0.1:{GW}/admin/fleet", timeout=5) as r:
        return {n["name"]: n for n in json.load(r)["nodes"]}

def wait_state(name, state, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if fleet()[name]["state"] == state:
                return time.time()
        except OSError:
            pass
        time.sleep(0.005)
    raise SystemExit(f"{name} not {state} after {timeout} s")

stats = {"ok": 0, "failed": 0}
stop_traffic = threading.Event()

def client():
    body = json.dumps({"model": "sim-llama-2-7b", "prompt": "Once", "max_tokens": 4}).encode()
    while not stop_traffic.is_set():
        req = urllib.request.Request(f"http://127.0.0.1:{GW}/v1/completions", data=body,
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                r.read()
            stats["ok"] += 1
        except Exception:
            stats["failed"] += 1

def trials(label):
    times = []
    for _ in range(TRIALS):
        victim = "n1"
        t0 = time.time()
        procs[victim].send_signal(signal.SIGKILL)
        t1 = wait_state(victim, "unhealthy")
        times.append((t1 - t0) * 1000)
        procs[victim].wait()
        start_node(victim)
        wait_state(victim, "healthy")
    print(f"{label}: {TRIALS} trials, detection p50 {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms, min {min(times):.0f} ms")

def main():
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write(f"listen: {{ host: 127.0.0.1, port: {GW}, eventLoops: 1 }}\nnodes:\n" +
              "".join(f"  - {{ name: {n}, url: 'http://127.0.0.1:{p}' }}\n" for n, p in NODES.items()))
    cfg.close()
    for n in NODES:
        start_node(n)
    time.sleep(3)
    gateway = subprocess.Popen([JAVA, "-jar", JAR, "gateway", "--config", cfg.name],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for n in NODES:
            wait_state(n, "healthy")
        trials("no traffic")
        workers = [threading.Thread(target=client, daemon=True) for _ in range(4)]
        for w in workers:
            w.start()
        trials("with traffic (4 clients, short completions)")
        stop_traffic.set()
        for w in workers:
            w.join()
        print(f"client requests during the traffic trials: {stats['ok']} ok, {stats['failed']} failed")
    finally:
        gateway.terminate()
        for p in procs.values():
            p.terminate()
        gateway.wait()
        for p in procs.values():
            p.wait()
        os.unlink(cfg.name)

main()
