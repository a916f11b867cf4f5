#!/usr/bin/env bash
# Load benchmark of the exchange: single-subject queries (grant check, record fetch and
# decryption, masking, the access recorded and its ledger entry durable before the answer) at
# 1, 16 and 64 connections, next to the foundation's authenticated read (GET /api/v1/orgs/{id})
# at the same concurrency, in the same run, with wrk on loopback.
#   bench/exchange_bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"

scripts/setup.sh --bench
scripts/build.sh release onceonly >/dev/null

work=$(mktemp -d /tmp/onceonly-bench.XXXXXX)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
export ONCEONLY_DATA_DIR="$work/data"
export ONCEONLY_LOG_LEVEL=warn
export ONCEONLY_RATE_LIMIT_PER_SECOND=1000000000
export ONCEONLY_RATE_LIMIT_BURST=1000000000
build/src/onceonly seed-demo >"$work/seed.txt"
build/src/onceonly serve --listen "127.0.0.1:$PORT" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
token=$(curl -sf -X POST "$BASE/api/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"username":"clerk","password":"onceonly-demo-2026"}' | json 'd["token"]')
org_id=$(curl -sf "$BASE/api/v1/orgs?q=QH-LS-GSC" -H "Authorization: Bearer $token" \
  | json '[o["id"] for o in d["items"] if o["code"]=="QH-LS-GSC"][0]')
resource=$(curl -sf "$BASE/api/v1/catalog/resources?q=QH-LS-PSB-RESIDENT" \
  -H "Authorization: Bearer $token" | json 'd["items"][0]["id"]')
subject=$(awk '/resident_id=/ {sub(/.*resident_id=/, ""); print $1; exit}' "$work/seed.txt")
body="{\"resource_id\":\"$resource\",\"subject\":\"$subject\",\"purpose\":\"one_window_service\"}"
curl -sf -X POST "$BASE/api/v1/exchange/queries" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "$body" | json 'd["values"]' >/dev/null ||
  { echo "the query is not answered" >&2; exit 1; }

cat >"$work/query.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA

run() {  # label connections url [wrk args]
  local label=$1 conns=$2 url=$3; shift 3
  local threads=$(( conns < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency "$@" "$url" >"$work/$label.txt"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$label.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$label.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$label.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$label.txt")
  printf '%-22s %10s req/s   p50 %8s   p99 %8s   %s\n' "$label" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" >"$work/$label.rps"
}

echo "exchange query vs authenticated read; wrk ${DURATION}s per run, loopback, $(nproc) cores"
for c in 1 16 64; do
  run "read c=$c" "$c" "$BASE/api/v1/orgs/$org_id" -H "Authorization: Bearer $token"
  run "query c=$c" "$c" "$BASE/api/v1/exchange/queries" -s "$work/query.lua"
  python3 -c "print('  ratio query/read at $c: %.2f' % (float(open('$work/query c=$c.rps').read()) / float(open('$work/read c=$c.rps').read())))"
done
echo "ledger entries: $(curl -sf "$BASE/api/v1/ledger/checkpoint" | sed -n 2p)"
