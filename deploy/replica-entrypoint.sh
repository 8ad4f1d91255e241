#!/bin/sh
# The standby (service db-replica): on first start, a base backup of the primary (pg_basebackup -R writes
# standby.signal and primary_conninfo); then PostgreSQL as a hot standby, streaming from the primary.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h db -U "$POSTGRES_USER"; do sleep 2; done
  export PGPASSWORD="$POSTGRES_PASSWORD"
  pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on
