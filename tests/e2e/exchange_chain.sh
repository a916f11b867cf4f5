#!/usr/bin/env bash
# The once-only chain through the real programs: the server with the demo government, the tax
# bureau's `onceonly connector` in front of its own CSV file, a window clerk's query answered
# through the connector with a receipt, and `onceonly ledger check-receipt` accepting that
# receipt against the log's published key and the running log.
# Usage: tests/e2e/exchange_chain.sh [path to the onceonly binary]
set -euo pipefail
bin="$(realpath "${1:-build/src/onceonly}")"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
fail() { echo "exchange chain: $*" >&2; exit 1; }

export ONCEONLY_DATA_DIR="$work/data"
server_port="$(free_port)"
connector_port="$(free_port)"
base="http://127.0.0.1:$server_port"
"$bin" migrate >/dev/null
"$bin" seed-demo >/dev/null
"$bin" serve --listen "127.0.0.1:$server_port" >"$work/server.log" 2>&1 &
pids+=($!)
"$bin" connector --csv "$ONCEONLY_DATA_DIR/demo-connector/QH-LS-TAX-INCOME.csv" \
  --key resident_id --resource QH-LS-TAX-INCOME --listen "127.0.0.1:$connector_port" \
  --trust-url "$base/api/v1/exchange/keys" >"$work/connector.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -sf "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

sign_in() {
  curl -sf -X POST "$base/api/v1/sessions" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"onceonly-demo-2026\"}" | json 'd["token"]'
}
admin="$(sign_in admin)"
clerk="$(sign_in clerk)"
listed="$(curl -sf -H "authorization: Bearer $clerk" \
  "$base/api/v1/catalog/resources?q=QH-LS-TAX-INCOME")"
id="$(echo "$listed" | json 'd["items"][0]["id"]')"
version="$(echo "$listed" | json 'd["items"][0]["version"]')"
# The connector listens on a port of this run, not the demo's usual one.
curl -sf -X PATCH "$base/api/v1/catalog/resources/$id" -H "authorization: Bearer $admin" \
  -H 'content-type: application/json' \
  -d "{\"version\":$version,\"connector_url\":\"http://127.0.0.1:$connector_port/records\"}" \
  >/dev/null || fail "could not point the resource at the connector"
for _ in $(seq 1 50); do
  grep -q connector.listening "$work/connector.log" && break
  sleep 0.2
done

subject="$(sed -n 2p "$ONCEONLY_DATA_DIR/demo-connector/QH-LS-TAX-INCOME.csv" | cut -d, -f1)"
answer="$(curl -s -X POST "$base/api/v1/exchange/queries" -H "authorization: Bearer $clerk" \
  -H 'content-type: application/json' \
  -d "{\"resource_id\":\"$id\",\"subject\":\"$subject\",\"purpose\":\"one_window_service\"}")"
values="$(echo "$answer" | json 'json.dumps(d["values"], ensure_ascii=False, sort_keys=True)')" ||
  fail "no answer: $answer"
[ "$values" = '{"name": "张*", "tax_paid": "***", "tax_year": 2025}' ] ||
  fail "the connector's answer is not the granted, masked fields: $values"
index="$(echo "$answer" | json 'd["receipt"]["index"]')"

# The receipt, once a checkpoint covers the entry (the server signs one every 10 seconds).
for _ in $(seq 1 100); do
  code="$(curl -s -o "$work/receipt.json" -w '%{http_code}' "$base/api/v1/ledger/receipts/$index")"
  [ "$code" = 200 ] && break
  sleep 0.2
done
[ "$code" = 200 ] || fail "no receipt for entry $index"
log_key="$(curl -sf "$base/api/v1/ledger/keys" | json 'd["log"]')"
"$bin" ledger check-receipt "$work/receipt.json" --log-key "$log_key" --url "$base" ||
  fail "check-receipt refused the receipt"
echo "exchange chain: the connector answered with the granted fields, and the receipt checks"
