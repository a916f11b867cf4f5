#!/usr/bin/env bash
# Configures and builds one flavour of onceonly.
#   scripts/build.sh            → build/       (RelWithDebInfo)
#   scripts/build.sh sanitize   → build-asan/  (AddressSanitizer + UndefinedBehaviorSanitizer)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
shift || true
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DONCEONLY_BENCH=OFF) ;;
  sanitize) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DONCEONLY_SANITIZE=ON) ;;
  bench) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DONCEONLY_BENCH=ON) ;;
  *) echo "usage: scripts/build.sh [release|sanitize|bench] [targets...]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "$dir" --target "$@"
else
  cmake --build "$dir"
fi
