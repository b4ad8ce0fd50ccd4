# Sourced by ./test.sh and bench/run.sh: installs Debian's postgresql-15 when missing, starts a throwaway
# cluster in a temporary directory on a free port of 127.0.0.1 (never the system cluster), exports
# MILLWRIGHT_TEST_PG, and stops and deletes the cluster when the calling script exits, also on failure.
# shellcheck shell=bash

pg_bin=""
find_pg() {
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then pg_bin="$dir"; return 0; fi
  done
  return 1
}

if ! find_pg; then
  log "PostgreSQL 15 is missing; installing Debian's postgresql-15"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 >/dev/null; } || ! find_pg; then
    log "FAILED: PostgreSQL 15 could not be installed; the PostgreSQL tests cannot run."
    exit 1
  fi
fi

# A throwaway cluster in a temporary directory, on a free port of 127.0.0.1.
pg_dir="$(mktemp -d -t millwright-pg.XXXXXX)"
pg_user="postgres"
run_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to an unprivileged user that owns the temp dir.
  id -u millwright-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin millwright-test
  chown millwright-test "$pg_dir"
  run_pg() { runuser -u millwright-test -- "$@"; }
fi

source "$(dirname "${BASH_SOURCE[0]}")/on-exit.sh"
stop_pg() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
}
on_exit stop_pg

pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || shuf -i 20000-60000 -n 1)"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$pg_port (data in $pg_dir)"

export MILLWRIGHT_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=$pg_user;Database=postgres;Pooling=true;Maximum Pool Size=50"
export MILLWRIGHT_TEST_PG_BIN="$pg_bin"

