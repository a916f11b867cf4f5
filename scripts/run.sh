#!/usr/bin/env bash
# Brings up onceonly with the demo government on http://127.0.0.1:8080 (the web portal and console
# at /, the API at /api/v1, embedded SQLite under ./data), and the demo tax bureau's connector on
# 127.0.0.1:8091. Installs what is missing and builds first; safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh release onceonly
scripts/web.sh
export ONCEONLY_DATA_DIR="${ONCEONLY_DATA_DIR:-$PWD/data}"
build/src/onceonly migrate
build/src/onceonly seed-demo
# The tax bureau's own system, behind its connector: it serves the records the platform does not
# hold, and trusts the platform's keys once the server below is up.
build/src/onceonly connector --csv "$ONCEONLY_DATA_DIR/demo-connector/QH-LS-TAX-INCOME.csv" \
  --key resident_id --resource QH-LS-TAX-INCOME --listen 127.0.0.1:8091 \
  --trust-url http://127.0.0.1:8080/api/v1/exchange/keys &
connector=$!
trap 'kill "$connector" 2>/dev/null || true' EXIT
build/src/onceonly serve --static-dir "$PWD/web/dist" "$@"
