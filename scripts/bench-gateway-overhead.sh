#!/usr/bin/env bash
# Gateway overhead, measured side by side in one run: the same closed-loop load straight to one
# simulated node with the zero-delay profile, through nginx as a reference reverse proxy (when
# nginx is installed: apt-get install nginx-light), and through the Flotilla gateway.
# Everything binds to 127.0.0.1 and stops at the end. Usage: scripts/bench-gateway-overhead.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${GATEWAY_PORT:-18080}"
nginx_port="${NGINX_PORT:-18090}"
requests="${REQUESTS:-4000}"
rounds="${ROUNDS:-5}"
work="$(mktemp -d /tmp/flotilla-bench-XXXXXX)"

./flotilla up --sim-nodes 1 --profiles zero --port "$port" > "$work/up.log" 2>&1 &
up_pid=$!
cleanup() {
  [ -f "$work/nginx.pid" ] && nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true
  kill -TERM "$up_pid" 2>/dev/null || true
  wait "$up_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  grep -q "Ctrl-C stops everything" "$work/up.log" && break
  kill -0 "$up_pid" 2>/dev/null || { cat "$work/up.log"; exit 1; }
  sleep 0.5
done
node_url="$(grep -oE 'simulated zero +http://[0-9.:]+' "$work/up.log" | awk '{print $3}')"
[ -n "$node_url" ] || { echo "no node URL in the output of flotilla up:"; cat "$work/up.log"; exit 1; }

targets=(--target "node=$node_url")
if command -v nginx >/dev/null 2>&1; then
  cat > "$work/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx-error.log warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  upstream node { server ${node_url#http://}; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / { proxy_pass http://node; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
CONF
  nginx -c "$work/nginx.conf"
  targets+=(--target "nginx=http://127.0.0.1:$nginx_port")
else
  echo "(nginx not installed: comparing the gateway with the node only)"
fi
targets+=(--target "gateway=http://127.0.0.1:$port")

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo "== short non-streaming completions"
./flotilla bench compare "${targets[@]}" --model sim-llama-2-7b --max-tokens 8 --concurrency 16 \
  --requests "$requests" --warmup "${WARMUP:-30000}" --rounds "$rounds"
echo "== streaming chat (time to first token)"
./flotilla bench compare "${targets[@]}" --model sim-llama-2-7b --chat --stream --max-tokens 16 --concurrency 16 \
  --requests "$requests" --warmup "${WARMUP_STREAM:-10000}" --rounds "$rounds"
