#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on localhost for the test suite (make test, .ci/run).
# Starts them where they are installed but stopped; installs them with apt where they are missing
# and we are root (a fresh CI machine); otherwise says how to start them and fails.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for PORT NAME
  for _ in $(seq 1 30); do port_open "$1" && return 0; sleep 1; done
  echo "ensure-services: $2 did not come up on 127.0.0.1:$1" >&2
  return 1
}

can_install() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; }

if ! port_open 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    if can_install; then
      echo "ensure-services: installing PostgreSQL"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      version=$(ls /etc/postgresql | sort -V | tail -1)
      # The suite connects as postgres over TCP without a password, as on the development machines.
      sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' \
        "/etc/postgresql/$version/main/pg_hba.conf"
    else
      echo "ensure-services: PostgreSQL is not installed. Install it (apt-get install postgresql) and" \
        "allow user postgres on 127.0.0.1:5432, or set DATABASE_URL." >&2
      exit 1
    fi
  fi
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start ||
    { echo "ensure-services: start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2; exit 1; }
  wait_for 5432 PostgreSQL
fi

if ! port_open 6379; then
  if ! command -v redis-server >/dev/null; then
    if can_install; then
      echo "ensure-services: installing Redis"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
      echo "ensure-services: Redis is not installed. Install it (apt-get install redis-server) or set REDIS_URL." >&2
      exit 1
    fi
  fi
  echo "ensure-services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for 6379 Redis
fi
echo "ensure-services: PostgreSQL and Redis answer on 127.0.0.1"
