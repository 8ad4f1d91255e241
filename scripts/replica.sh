#!/usr/bin/env bash
# A local PostgreSQL streaming replica of the cluster on 127.0.0.1:5432, on 127.0.0.1:5433 (docs/operations.md
# "Scaled out"), so that the tests read through the router from a real standby (tests/platform/test_replica.py).
#
#   scripts/replica.sh start   pg_basebackup into a second cluster and start it as a hot standby (idempotent)
#   scripts/replica.sh stop    stop it and delete its data directory
#   scripts/replica.sh status  exit 0 when a standby answers on the port, 1 when none does
#
# The primary must accept replication connections from 127.0.0.1: a "host replication" line is added to
# its pg_hba.conf when missing, and the configuration reloaded. The standby runs as the postgres user
# (PostgreSQL refuses root), from a directory outside the checkout.
set -euo pipefail

PRIMARY_PORT=${PRIMARY_PORT:-5432}
PORT=${REPLICA_PORT:-5433}
DATA=${REPLICA_DATA:-/var/tmp/smz-replica-$PORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n "$BIN" ]] || { echo "replica: PostgreSQL's binaries are not installed (apt-get install postgresql)" >&2; exit 1; }

as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
psql_primary() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc "$1"; }

start() {
  if port_open "$PORT"; then
    if [[ $(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atqc "SELECT pg_is_in_recovery()") == t ]]; then
      echo "replica: a standby already answers on 127.0.0.1:$PORT"
      return 0
    fi
    echo "replica: 127.0.0.1:$PORT is taken by a server that is not a standby" >&2
    exit 1
  fi
  hba=$(psql_primary "SHOW hba_file")
  if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "replica: allowing replication from 127.0.0.1 in $hba"
    sed -i '1i host replication all 127.0.0.1/32 trust' "$hba"
    psql_primary "SELECT pg_reload_conf()" >/dev/null
  fi
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chmod 700 "$DATA"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DATA"
  echo "replica: pg_basebackup from 127.0.0.1:$PRIMARY_PORT into $DATA"
  as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DATA" -R -X stream -c fast
  # Debian keeps the primary's configuration in /etc: the standby gets its own, minimal one.
  as_postgres touch "$DATA/postgresql.conf" "$DATA/pg_ident.conf"
  as_postgres sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$DATA/pg_hba.conf'"
  # Its own port, socket directory and log; a hot standby answering reads; no archive of its own.
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/replica.log" -w -t 60 start \
    -o "-p $PORT -k $DATA -c hot_standby=on -c listen_addresses=127.0.0.1 -c archive_mode=off \
        -c config_file=$DATA/postgresql.conf -c hba_file=$DATA/pg_hba.conf -c ident_file=$DATA/pg_ident.conf"
  echo "replica: a hot standby answers on 127.0.0.1:$PORT"
}

stop() {
  if [[ -f "$DATA/postmaster.pid" ]]; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop || true
  fi
  rm -rf "$DATA"
  echo "replica: stopped"
}

status() {
  port_open "$PORT" && [[ $(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atqc "SELECT pg_is_in_recovery()") == t ]]
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/replica.sh start|stop|status" >&2; exit 2 ;;
esac
