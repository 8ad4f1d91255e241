#!/usr/bin/env bash
# Run a command (make test: the suite) with the local streaming replica and pgbouncer it needs, and stop
# at its end, pass or fail or interrupted, whichever of the two this run started. A standby left running
# replays every later write of the machine, so that a benchmark run afterwards would pay for its WAL
# replay on the same cores without saying so (issue 26); one that was already running is left alone.
#
#   scripts/test-services.sh COMMAND [ARG…]
set -euo pipefail
cd "$(dirname "$0")/.."

started=()
stop_started() {
  for service in "${started[@]}"; do
    bash "scripts/$service.sh" stop || true
  done
}
trap stop_started EXIT
# The command runs in the background and is waited for, so that a signal is acted on at once (bash
# defers traps while a foreground child runs): it is passed on to the command, then the services stop.
child=
on_signal() {
  [[ -n "$child" ]] && kill -"$1" "$child" 2>/dev/null && wait "$child" 2>/dev/null
  exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

for service in replica pgbouncer; do
  if bash "scripts/$service.sh" status; then
    echo "test-services: $service was already running; it is left running"
  else
    bash "scripts/$service.sh" start
    started+=("$service")
  fi
done
# A database left by an interrupted run is dropped by pytest-django; pgbouncer must let go of it first.
bash scripts/pgbouncer.sh kill test_smz
"$@" &
child=$!
wait "$child"
