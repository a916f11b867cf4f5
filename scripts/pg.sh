#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server on a free loopback port, for tests.
#   eval "$(scripts/pg.sh start)"   → exports ONCEONLY_TEST_PG_URL and ONCEONLY_TEST_PG_DIR
#   scripts/pg.sh stop DIR
# Tests run it without fsync (nothing there needs to survive a crash); ONCEONLY_PG_DURABLE=1
# keeps fsync on, for benchmarks of durable writes.
# PostgreSQL refuses to run as root, so as root the server runs as the postgres user.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    fsync=off
    [ "${ONCEONLY_PG_DURABLE:-}" = 1 ] && fsync=on
    dir=$(mktemp -d /tmp/onceonly-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$fsync -c max_connections=200 -c client_min_messages=warning" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres onceonly_test
    echo "export ONCEONLY_TEST_PG_DIR=$dir"
    echo "export ONCEONLY_TEST_PG_URL=postgresql://postgres@127.0.0.1:$port/onceonly_test"
    ;;
  stop)
    dir="${2:?usage: pg.sh stop DIR}"
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: scripts/pg.sh start | stop DIR" >&2; exit 2 ;;
esac
