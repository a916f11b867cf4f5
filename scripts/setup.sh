#!/usr/bin/env bash
# Installs what onceonly needs on a Debian 12 machine (as root, or with sudo).
# Idempotent: packages already present are not fetched again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev
  libsoci-dev libsqlite3-dev libpq-dev sqlite3
  nlohmann-json3-dev libsodium-dev libssl-dev libcsv-dev libqrencode-dev zlib1g-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  postgresql
  python3 curl
  nodejs chromium fonts-wqy-microhei
)

if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(wrk nginx-light)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Debian's own nodejs package ships npm separately; a Node.js that brings its own npm needs none.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
