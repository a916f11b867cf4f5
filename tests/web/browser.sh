#!/usr/bin/env bash
# The web front end in a real browser: the server with the demo government and the built pages,
# and web/e2e's stories driven by playwright-core in Debian's headless Chromium, each page checked
# with axe-core. Screenshots of the main pages go to docs/screenshots/.
# Usage: tests/web/browser.sh [path to the onceonly binary]
# (WEB_STORIES="e2e/sharing.test.mjs" runs some of the stories only.)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$(realpath "${1:-build/src/onceonly}")"
work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export ONCEONLY_DATA_DIR="$work/data"
# Verification links and issuer identifiers point at this test server.
export ONCEONLY_CREDENTIALS_PUBLIC_URL="http://127.0.0.1:$port"
"$bin" migrate >/dev/null
"$bin" seed-demo >/dev/null
"$bin" serve --listen "127.0.0.1:$port" --static-dir "$PWD/web/dist" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

cd web
if ! ONCEONLY_BASE_URL="http://127.0.0.1:$port" ONCEONLY_SCREENSHOTS="$PWD/../docs/screenshots" \
  node --test --test-concurrency=1 ${WEB_STORIES:-e2e/}; then
  echo "== server log (last 40 lines)" >&2
  tail -40 "$work/server.log" >&2
  exit 1
fi
