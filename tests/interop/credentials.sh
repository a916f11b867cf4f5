#!/usr/bin/env bash
# The electronic certificates against libraries this project did not write: the server with the
# demo government issues a marriage certificate, and tests/interop/credentials.mjs checks it with
# `jose` (vc+jwt, JWKS, RFC 7638 kids) and `@sd-jwt/sd-jwt-vc` (SD-JWT VC presentation with key
# binding, Token Status List), decodes both status lists with Node's zlib, revokes, and checks
# again. The packages are web/'s pinned devDependencies (scripts/web.sh installs them).
# Usage: tests/interop/credentials.sh [path to the onceonly binary]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
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
fail() {
  echo "credentials interop: $*" >&2
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$work/server.log" >&2 2>/dev/null || true
  exit 1
}

for pkg in jose @sd-jwt/sd-jwt-vc @sd-jwt/crypto-nodejs; do
  if [ ! -f "$root/web/node_modules/$pkg/package.json" ]; then
    echo "credentials interop: web/node_modules lacks $pkg: run scripts/web.sh" >&2
    exit 1
  fi
done

export ONCEONLY_DATA_DIR="$work/data"
port="$(free_port)"
base="http://127.0.0.1:$port"
export ONCEONLY_CREDENTIALS_PUBLIC_URL="$base"
"$bin" migrate >/dev/null
"$bin" seed-demo >/dev/null
"$bin" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -sf "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "$base/readyz" >/dev/null 2>&1 || fail "the server did not become ready"

timeout 60 node "$root/tests/interop/credentials.mjs" "$base" ||
  fail "the independent libraries disagreed with the server (see above)"
echo "credentials interop: jose and @sd-jwt/sd-jwt-vc accept what the server issues, and refuse what they should"
