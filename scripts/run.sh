#!/usr/bin/env bash
# Brings up onceonly with the demo government on http://127.0.0.1:8080 (embedded SQLite under
# ./data). Installs what is missing and builds first; safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh release onceonly
export ONCEONLY_DATA_DIR="${ONCEONLY_DATA_DIR:-$PWD/data}"
build/src/onceonly migrate
build/src/onceonly seed-demo
exec build/src/onceonly serve "$@"
