#!/usr/bin/env bash
# Load benchmark of one-window applications over HTTP, end to end: each application is started
# (POST /api/v1/services/applications as the demo company: the item's materials gathered, one
# record fetched through the exchange by the one window with its access recorded and its ledger
# entry durable before the answer, the application, its history and message written) and then
# submitted (POST …/submit: the materials checked, the working-day due date set, history and
# message). Item: tax registration of a new business (one fetched material, one stage). At 16
# and 64 connections, next to the public read of the item in the same run, with wrk on loopback.
#   bench/services_bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"

source bench/common.sh
start_demo_server

token=$(sign_in qingshi.tea)
item=$(curl -sf "$BASE/api/v1/services/items?q=QH-LS-TAX-NEW-TAXPAYER" | json 'd["items"][0]["id"]')
# One by hand first: the item must start and submit as the benchmark expects.
app=$(curl -sf -X POST "$BASE/api/v1/services/applications" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"item_id\":\"$item\"}" | json 'd["id"]')
curl -sf -X POST "$BASE/api/v1/services/applications/$app/submit" -H "Authorization: Bearer $token" \
  | json 'd["status"]' | grep -q submitted || { echo "the application does not submit" >&2; exit 1; }

# Each connection's next request submits an application started before, or starts one; the
# submissions are counted per thread and added up at the end.
cat >"$work/apply.lua" <<LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  pending = {}
  submitted = 0
  started = 0
  last = "start"
end
function request()
  if #pending > 0 then
    local id = table.remove(pending, 1)
    last = "submit"
    return wrk.format("POST", "/api/v1/services/applications/" .. id .. "/submit",
      {["Authorization"] = "Bearer $token"}, "")
  end
  last = "start"
  return wrk.format("POST", "/api/v1/services/applications",
    {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"},
    '{"item_id":"$item"}')
end
function response(status, headers, body)
  if status == 201 then
    started = started + 1
    local id = string.match(body, '"id":"(apl_[%w]+)"')
    if id then table.insert(pending, id) end
  elseif status == 200 then
    submitted = submitted + 1
  end
end
function done(summary, latency, requests)
  local s, n = 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("submitted")
    n = n + t:get("started")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("  started %d, submitted %d: %.0f submissions/s\n", n, s, s / seconds))
end
LUA

echo "applications over HTTP vs a public read; wrk ${DURATION}s per run, loopback, $(nproc) cores"
for c in 16 64; do
  run "read c=$c" "$c" "$BASE/api/v1/services/items/$item"
  run "apply c=$c" "$c" "$BASE/api/v1/services/applications" -s "$work/apply.lua"
  grep "submissions/s" "$work/apply c=$c.txt"
  ratio "apply c=$c" "read c=$c"
done
