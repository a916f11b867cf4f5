#!/usr/bin/env bash
# Load benchmark of the exchange: single-subject queries (grant check, record fetch and
# decryption, masking, the access recorded and its ledger entry durable before the answer) at
# 1, 16 and 64 connections, next to the foundation's authenticated read (GET /api/v1/orgs/{id})
# at the same concurrency, in the same run, with wrk on loopback.
#   bench/exchange_bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"

source bench/common.sh
start_demo_server

token=$(sign_in clerk)
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

echo "exchange query vs authenticated read; wrk ${DURATION}s per run, loopback, $(nproc) cores"
for c in 1 16 64; do
  run "read c=$c" "$c" "$BASE/api/v1/orgs/$org_id" -H "Authorization: Bearer $token"
  run "query c=$c" "$c" "$BASE/api/v1/exchange/queries" -s "$work/query.lua"
  ratio "query c=$c" "read c=$c"
done
echo "ledger entries: $(curl -sf "$BASE/api/v1/ledger/checkpoint" | sed -n 2p)"
