#!/usr/bin/env bash
# Say whether a streaming standby is attached to the PostgreSQL on 127.0.0.1:5432 (the cluster the
# benchmarks measure): it replays every write the benchmark makes on the same cores (issue 26).
set -uo pipefail
standbys=$(psql -h 127.0.0.1 -p "${PGPORT:-5432}" -U postgres -Atqc \
  "SELECT count(*) || ' (' || coalesce(string_agg(coalesce(client_addr::text, 'local') || ' ' || state, ', '), '') || ')' FROM pg_stat_replication" 2>/dev/null)
if [[ -z "$standbys" ]]; then
  echo "bench: could not ask 127.0.0.1:${PGPORT:-5432} for its standbys"
elif [[ "$standbys" == 0* ]]; then
  echo "bench: no streaming standby is attached to 127.0.0.1:${PGPORT:-5432}"
else
  echo "bench: NOTE a streaming standby is attached to 127.0.0.1:${PGPORT:-5432}: $standbys; its WAL replay shares" \
       "this machine's cores, so the figures below read high (scripts/replica.sh stop detaches it)"
fi
