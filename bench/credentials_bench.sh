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

source bench/common.sh
start_demo_server

token=$(sign_in cab.approver)
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

echo "certificates over HTTP vs a public read; wrk ${DURATION}s per run, loopback, $(nproc) cores"
for c in 1 16; do
  run "read c=$c" "$c" "$BASE/api/v1/credentials/types/$type_id"
  run "verify c=$c" "$c" "$BASE/api/v1/credentials/verify" -s "$work/verify.lua"
  run "issue c=$c" "$c" "$BASE/api/v1/credentials" -s "$work/issue.lua"
  ratio "verify c=$c" "read c=$c"
  ratio "issue c=$c" "read c=$c"
done
