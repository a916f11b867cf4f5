#!/usr/bin/env bash
# Runs every test: the suite on SQLite and on a real PostgreSQL server started here on loopback,
# the once-only chain through the real programs (tests/e2e), the electronic certificates checked
# by libraries the project did not write (tests/interop), the web front end's unit tests
# (Vitest) and its stories in headless Chromium (tests/web), then the C++ suite again built with
# AddressSanitizer + UndefinedBehaviorSanitizer (the browser stories stay out of that pass), then
# the format and clang-tidy checks (scripts/lint.sh).
# Installs what is missing first; safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh release
scripts/build.sh sanitize
scripts/web.sh

eval "$(scripts/pg.sh start)"
trap 'scripts/pg.sh stop "$ONCEONLY_TEST_PG_DIR"' EXIT
export ONCEONLY_TEST_REQUIRE_PG=1

echo "== tests (release build; SQLite and PostgreSQL)"
build/tests/onceonly_tests --gtest_brief=1

echo "== end to end (the server, a department's connector and check-receipt, as programs)"
tests/e2e/exchange_chain.sh build/src/onceonly

echo "== electronic certificates against independent libraries (jose, @sd-jwt/sd-jwt-vc)"
tests/interop/credentials.sh build/src/onceonly

echo "== web front end: unit tests (Vitest)"
(cd web && npx vitest run --reporter=dot)

echo "== web front end: stories in headless Chromium, with axe-core on every page"
tests/web/browser.sh build/src/onceonly

echo "== tests (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
  build-asan/tests/onceonly_tests --gtest_brief=1

scripts/lint.sh

echo "== all tests passed"
