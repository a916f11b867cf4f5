#!/usr/bin/env bash
# Load benchmark: an authenticated read (GET /api/v1/orgs/{id}) from onceonly next to nginx
# serving the same bytes from a static file, in the same run, with wrk on loopback.
#   bench/http_bench.sh [seconds per run, default 15] [connections, default 64]
# Prints requests per second, latency percentiles and the ratio onceonly / nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNS="${2:-64}"
THREADS=2

scripts/setup.sh --bench
scripts/build.sh release onceonly >/dev/null

work=$(mktemp -d /tmp/onceonly-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port)
NGINX_PORT=$(free_port)

export ONCEONLY_DATA_DIR="$work/data"
export ONCEONLY_LOG_LEVEL=warn
export ONCEONLY_RATE_LIMIT_PER_SECOND=1000000000
export ONCEONLY_RATE_LIMIT_BURST=1000000000
# Thread counts: the defaults (one I/O and one worker thread per core) unless set outside.
build/src/onceonly seed-demo >/dev/null
build/src/onceonly serve --listen "127.0.0.1:$APP_PORT" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$APP_PORT/healthz" >/dev/null && break; sleep 0.1; done

token=$(curl -sf -X POST "http://127.0.0.1:$APP_PORT/api/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"username":"clerk","password":"onceonly-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
org_id=$(curl -sf "http://127.0.0.1:$APP_PORT/api/v1/orgs?q=QH-LS-GSC" -H "Authorization: Bearer $token" \
  | python3 -c 'import json,sys; print([o["id"] for o in json.load(sys.stdin)["items"] if o["code"]=="QH-LS-GSC"][0])')
mkdir -p "$work/www"
curl -sf "http://127.0.0.1:$APP_PORT/api/v1/orgs/$org_id" -H "Authorization: Bearer $token" >"$work/www/org.json"

cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.error.log warn;
daemon on;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $work/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -c "$work/nginx.conf"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/org.json" >/dev/null && break; sleep 0.1; done
cmp -s "$work/www/org.json" <(curl -sf "http://127.0.0.1:$NGINX_PORT/org.json") || { echo "nginx serves different bytes" >&2; exit 1; }

run() {  # label url [header]
  local label=$1 url=$2; shift 2
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url" >"$work/$label.txt"
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$label.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$label.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$label.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$label.txt")
  printf '%-10s %12s req/s   p50 %8s   p99 %8s   %s\n' "$label" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" >"$work/$label.rps"
}

echo "GET /api/v1/orgs/{id} (authenticated) vs nginx static file; wrk -t$THREADS -c$CONNS -d${DURATION}s, loopback, $(nproc) cores"
echo "body: $(wc -c <"$work/www/org.json") bytes"
run nginx "http://127.0.0.1:$NGINX_PORT/org.json"
run onceonly "http://127.0.0.1:$APP_PORT/api/v1/orgs/$org_id" -H "Authorization: Bearer $token"
# For reading the result: the same server's cheapest route (no token, no database), which shows
# what the transport, worker hand-off and middleware cost on their own.
run healthz "http://127.0.0.1:$APP_PORT/healthz"
python3 -c "print('ratio onceonly/nginx: %.2f   (healthz/nginx: %.2f)' % (float(open('$work/onceonly.rps').read()) / float(open('$work/nginx.rps').read()), float(open('$work/healthz.rps').read()) / float(open('$work/nginx.rps').read())))"
