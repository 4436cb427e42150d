#!/usr/bin/env bash
# A PostgreSQL cluster for the server's PostgreSQL tests (issue 14), idempotent: installs
# Debian's `postgresql` if absent, starts the cluster if it is down (it may already run),
# listens on 127.0.0.1 only, and makes the test role `axme_test` (password auth over
# loopback; it may create databases: each test run makes a fresh one and drops it).
# Prints the admin URL the tests read from AXME_TEST_POSTGRES_URL. Runs as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
exec 3>&1 1>&2  # stdout carries the URL only; everything else goes to stderr
ROLE=axme_test

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1)
conf_dir="/etc/postgresql/$version/$cluster/conf.d"
if [ ! -f "$conf_dir/axme-test.conf" ]; then
  mkdir -p "$conf_dir"
  printf "listen_addresses = '127.0.0.1'\n" > "$conf_dir/axme-test.conf"
  [ "$status" = down ] || pg_ctlcluster "$version" "$cluster" restart 3>&-  # (the server must not hold our stdout)
fi
if [ "$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}')" != online ]; then
  pg_ctlcluster "$version" "$cluster" start 3>&-
fi
psql_admin() { runuser -u postgres -- psql -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"; }
for _ in $(seq 50); do psql_admin -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'" | grep -q 1 ||
  psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$ROLE'"
echo "postgresql://$ROLE:$ROLE@127.0.0.1:$port/postgres" >&3
