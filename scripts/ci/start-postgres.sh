#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster on loopback for Berth's PostgreSQL tests and benchmarks.
#
# - Installs Debian's postgresql-15 with apt-get when its binaries are missing (apt-get update
#   first), unless BERTH_PG_NO_INSTALL=1 (then a missing install is an error).
# - initdb as the `postgres` user (initdb refuses to run as root) in a data directory that user
#   owns, `-A trust`, listening on 127.0.0.1 only, on a random free port, its socket in the data
#   directory (nothing under /var/run is touched).
# - Waits until it accepts connections, then prints the data directory on one line and the
#   connection URL on the last line. Stop it (and remove the directory) with
#   scripts/ci/stop-postgres.sh <data directory>.
#
# Usage:  url=$(scripts/ci/start-postgres.sh | tail -n 1)
# Env:    BERTH_PG_DIR     the data directory (default: a fresh temp directory); must be empty or absent
#         BERTH_PG_PORT    the port (default: a random free one)
#         BERTH_PG_BIN     where initdb and pg_ctl are (default /usr/lib/postgresql/15/bin)
#         BERTH_PG_NO_INSTALL=1  never apt-get
set -euo pipefail

BIN=${BERTH_PG_BIN:-/usr/lib/postgresql/15/bin}
log() { printf 'start-postgres: %s\n' "$*" >&2; }

if [ ! -x "$BIN/initdb" ] || [ ! -x "$BIN/pg_ctl" ]; then
  if [ "${BERTH_PG_NO_INSTALL:-}" = 1 ]; then
    log "no PostgreSQL 15 binaries in $BIN (install Debian's postgresql-15)"
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL 15 is missing and installing it needs root"
    exit 1
  fi
  log "installing postgresql-15"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql-15 >/dev/null
fi

# initdb and pg_ctl refuse root: run them as `postgres` (or as ourselves when not root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DIR=${BERTH_PG_DIR:-$(mktemp -d -t berth-pg.XXXXXX)}
mkdir -p "$DIR"
if [ -n "$(ls -A "$DIR")" ]; then
  log "$DIR is not empty"
  exit 1
fi
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DIR"; fi
chmod 700 "$DIR"

PORT=${BERTH_PG_PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}

as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || {
  log "initdb failed:"
  cat "$DIR/initdb.log" >&2
  exit 1
}
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 200
CONF

if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null; then
  log "the server did not start; last log lines:"
  tail -n 30 "$DIR/server.log" >&2 || true
  exit 1
fi
log "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$PORT (data: $DIR)"
echo "$DIR"
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
