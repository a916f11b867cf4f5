# shellcheck shell=bash
# Shared by the load benchmarks (sourced): the set-up and a release build, a scratch data
# directory removed on exit, the demo government served on a free loopback port ($BASE), and
# run(), which drives wrk and prints the rate and latency percentiles.
scripts/setup.sh --bench
scripts/build.sh release onceonly >/dev/null

work=$(mktemp -d /tmp/onceonly-bench.XXXXXX)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Seeds the demo government (its printout in $work/seed.txt) and serves it at $BASE.
start_demo_server() {
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  export ONCEONLY_DATA_DIR="$work/data"
  export ONCEONLY_LOG_LEVEL=warn
  export ONCEONLY_RATE_LIMIT_PER_SECOND=1000000000
  export ONCEONLY_RATE_LIMIT_BURST=1000000000
  export ONCEONLY_CREDENTIALS_PUBLIC_URL="$BASE"
  build/src/onceonly seed-demo >"$work/seed.txt"
  build/src/onceonly serve --listen "127.0.0.1:$PORT" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
}

sign_in() {  # username → token
  curl -sf -X POST "$BASE/api/v1/sessions" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"onceonly-demo-2026\"}" | json 'd["token"]'
}

run() {  # label connections url [wrk args]; the rate also goes to "$work/<label>.rps"
  local label=$1 conns=$2 url=$3; shift 3
  local threads=$(( conns < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency "$@" "$url" >"$work/$label.txt"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$label.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$label.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$label.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$label.txt")
  printf '%-22s %10s req/s   p50 %8s   p99 %8s   %s\n' "$label" "$rps" "$p50" "$p99" "$errors"
  echo "$rps" >"$work/$label.rps"
}

ratio() {  # label of the numerator, label of the denominator
  python3 -c "print('  ratio $1 / $2: %.2f' % (float(open('$work/$1.rps').read()) / float(open('$work/$2.rps').read())))"
}
