#!/usr/bin/env bash
# Installs the front end's packages (exactly as web/package-lock.json pins them) when the lockfile
# changed, and builds web/ into web/dist when its sources changed. Safe to run again and again.
#   scripts/web.sh          → install if needed, type-check and build if needed
#   scripts/web.sh --force  → build even when nothing changed
set -euo pipefail
cd "$(dirname "$0")/../web"

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f node_modules/.lock-hash ] || [ "$(cat node_modules/.lock-hash)" != "$lock_hash" ]; then
  echo "web: installing packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.lock-hash
fi

source_hash="$( (find src public -type f -print0 | sort -z | xargs -0 sha256sum;
  sha256sum index.html vite.config.ts tsconfig.json package-lock.json) | sha256sum | cut -d' ' -f1)"
if [ "${1:-}" != "--force" ] && [ -f dist/.source-hash ] && [ "$(cat dist/.source-hash)" = "$source_hash" ]; then
  exit 0
fi
echo "web: building"
npx vue-tsc --noEmit
npx vite build --logLevel warn
echo "$source_hash" > dist/.source-hash
