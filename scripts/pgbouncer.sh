#!/usr/bin/env bash
# A local pgbouncer in transaction mode on 127.0.0.1:6432 in front of the PostgreSQL on 127.0.0.1:5432
# (docs/operations.md "Scaled out"); the test suite runs through it (make test).
#
#   scripts/pgbouncer.sh start   install Debian's pgbouncer if missing, start it (idempotent)
#   scripts/pgbouncer.sh stop    stop it
#   scripts/pgbouncer.sh status  exit 0 when pgbouncer answers on the port, 1 when nothing does
#   scripts/pgbouncer.sh kill DB drop every connection it holds to DB (before DB is dropped)
#
# Transaction pooling hands each transaction whatever server connection is free: nothing may outlive a
# transaction on the server (no SQL PREPARE, no WITH HOLD cursors, no session advisory locks). The
# platform is told by DATABASE_TRANSACTION_POOLING=true (smz_platform/settings.py).
set -euo pipefail

PORT=${PGBOUNCER_PORT:-6432}
DIR=${PGBOUNCER_DIR:-/var/tmp/smz-pgbouncer-$PORT}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
admin() { psql -h 127.0.0.1 -p "$PORT" -U postgres -Atq pgbouncer -c "$1"; }

start() {
  if port_open "$PORT"; then
    admin "SHOW VERSION" >/dev/null && { echo "pgbouncer: already answering on 127.0.0.1:$PORT"; return 0; }
    echo "pgbouncer: 127.0.0.1:$PORT is taken by something that is not pgbouncer" >&2
    exit 1
  fi
  if ! command -v pgbouncer >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "pgbouncer: installing Debian's package"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; }
    else
      echo "pgbouncer: not installed (apt-get install pgbouncer)" >&2
      exit 1
    fi
  fi
  mkdir -p "$DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR"
  # Trust, as the local PostgreSQL itself; a production pgbouncer uses scram (docs/operations.md).
  cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
  echo '"postgres" ""' >"$DIR/userlist.txt"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR"/*
  as_postgres pgbouncer -d "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do port_open "$PORT" && break; sleep 0.1; done
  admin "SHOW VERSION" >/dev/null
  echo "pgbouncer: transaction pooling on 127.0.0.1:$PORT"
}

stop() {
  if [[ -f "$DIR/pgbouncer.pid" ]]; then
    kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
    rm -f "$DIR/pgbouncer.pid"
  fi
  echo "pgbouncer: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) port_open "$PORT" && admin "SHOW VERSION" >/dev/null 2>&1 ;;
  # KILL closes its connections to DB (so that DB can be dropped); RESUME lets new ones in again.
  kill) port_open "$PORT" && { admin "KILL ${2:?database}" >/dev/null 2>&1 || true; admin "RESUME ${2}" >/dev/null 2>&1 || true; } ;;
  *) echo "usage: scripts/pgbouncer.sh start|stop|status|kill DB" >&2; exit 2 ;;
esac
