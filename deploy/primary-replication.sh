#!/bin/sh
# Run once by the postgres image when the primary's data directory is created (docker-entrypoint-initdb.d):
# the standby (service db-replica) connects as the database's owner to stream the WAL.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
