#!/usr/bin/env bash
# Load benchmark of certificates over HTTP: verifications (POST /api/v1/credentials/verify, no
# session: every check, the status list's version read) and issuing (POST /api/v1/credentials as
# the civil affairs approver: checks, signing, sealing, the row, the audit record, and the answer
# once the issuance's ledger entry is durable), at 1 and 16 connections, next to the public read
# of a certificate type (GET /api/v1/credentials/types/{id}) in the same run, with wrk on loopback.
#   bench/credentials_bench.sh [seconds per run, default 10]
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
export ONCEONLY_CREDENTIALS_PUBLIC_URL="$BASE"
build/src/onceonly seed-demo >"$work/seed.txt"
build/src/onceonly serve --listen "127.0.0.1:$PORT" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
token=$(curl -sf -X POST "$BASE/api/v1/sessions" -H 'Content-Type: application/json' \
  -d '{"username":"cab.approver","password":"onceonly-demo-2026"}' | json 'd["token"]')
type_id=$(curl -sf "$BASE/api/v1/credentials/types?q=marriage_certificate" | json 'd["items"][0]["id"]')
issue="{\"type_id\":\"$type_id\",\"subject\":\"44030519850312001X\",\"claims\":{\"holder_name\":\"张伟\",\"holder_id_number\":\"44030519850312001X\",\"spouse_name\":\"王芳\",\"spouse_id_number\":\"44030519920708002X\",\"registered_on\":\"2020-05-20\",\"certificate_no\":\"J440305-2020-001234\"}}"
jwt=$(curl -sf -X POST "$BASE/api/v1/credentials" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "$issue" | json 'd["jwt"]')
verify="{\"credential\":\"$jwt\"}"
curl -sf -X POST "$BASE/api/v1/credentials/verify" -H 'Content-Type: application/json' \
  -d "$verify" | json 'd["valid"]' | grep -q True || { echo "the certificate does not verify" >&2; exit 1; }

cat >"$work/verify.lua" <<LUA
wrk.method = "POST"
wrk.body = '$verify'
wrk.headers["Content-Type"] = "application/json"
LUA
cat >"$work/issue.lua" <<LUA
wrk.method = "POST"
wrk.body = '$issue'
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

echo "certificates over HTTP vs a public read; wrk ${DURATION}s per run, loopback, $(nproc) cores"
for c in 1 16; do
  run "read c=$c" "$c" "$BASE/api/v1/credentials/types/$type_id"
  run "verify c=$c" "$c" "$BASE/api/v1/credentials/verify" -s "$work/verify.lua"
  run "issue c=$c" "$c" "$BASE/api/v1/credentials" -s "$work/issue.lua"
  for what in verify issue; do
    python3 -c "print('  ratio $what/read at $c: %.2f' % (float(open('$work/$what c=$c.rps').read()) / float(open('$work/read c=$c.rps').read())))"
  done
done
