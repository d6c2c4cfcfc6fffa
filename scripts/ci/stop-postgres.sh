#!/usr/bin/env bash
# Stop a cluster started by scripts/ci/start-postgres.sh and remove its data directory.
# Usage: scripts/ci/stop-postgres.sh <data directory>   (idempotent: a stopped or missing one is fine)
set -euo pipefail
DIR=${1:?usage: stop-postgres.sh <data directory>}
BIN=${BERTH_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ -f "$DIR/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  else
    "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
fi
case "$DIR" in
  /tmp/* | "${TMPDIR:-/tmp}"/*) rm -rf "$DIR" ;;
  *) rm -rf "$DIR/data" "$DIR/server.log" "$DIR/initdb.log" ;;
esac
