#!/usr/bin/env bash
# Installs the system packages the build, the tests and the benchmarks need on a fresh Debian machine:
# the reference libevent (headers + libraries), the Debian client programs run on our library, and tools.
set -euo pipefail
pkgs=(build-essential pkg-config libssl-dev libevent-dev memcached pgbouncer postgresql-client
      valgrind tmux python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's packages start their daemons; the tests run their own instances on private ports.
for svc in memcached pgbouncer; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  service "$svc" stop >/dev/null 2>&1 || true
done
exit 0
