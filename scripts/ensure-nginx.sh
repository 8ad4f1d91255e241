#!/usr/bin/env bash
# make bench-load (and its smoke run in make test) puts nginx in front of the public pool with deploy/nginx.conf,
# as the scaled-out deployment does: Debian's nginx-light where it is missing and we are root. Only the binary is
# used (the benchmark starts it with a configuration of its own); the package's own service is not started.
set -euo pipefail
if command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-nginx: installing nginx-light"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light \
    >/dev/null
  exit 0
fi
echo "ensure-nginx: nginx is missing. Install it (apt-get install nginx-light), or run the benchmark with" \
  "BENCH_PROXY=0 (the crowd straight to the public pool)." >&2
exit 1
