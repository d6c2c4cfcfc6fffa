#!/usr/bin/env bash
# Start a local Docker Engine for Berth's Docker driver tests (and the example platform).
#
# - Installs docker.io with apt-get when dockerd is missing (apt-get update first).
# - Starts `dockerd --bridge=none --iptables=false` in the background as root: no bridge
#   network and no iptables rules, so containers only get network mode `none` or `host`.
# - Waits for /var/run/docker.sock and `docker info`, then prints dockerd's pid.
# - Idempotent: when an engine already answers, prints its pid and exits 0.
#
# Usage: sudo scripts/ci/start-docker.sh        (log: $BERTH_DOCKERD_LOG or a temp file)
set -euo pipefail

SOCK=/var/run/docker.sock
TIMEOUT_S=${BERTH_DOCKERD_TIMEOUT:-60}

log() { printf 'start-docker: %s\n' "$*" >&2; }

engine_pid() {
  if [ -s /var/run/docker.pid ]; then
    cat /var/run/docker.pid
  else
    pgrep -x dockerd | head -n1 || true
  fi
}

engine_up() { [ -S "$SOCK" ] && docker info >/dev/null 2>&1; }

if [ "$(id -u)" != 0 ]; then
  log "must run as root (dockerd needs it)"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  log "installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if engine_up; then
  log "engine already running"
  engine_pid
  exit 0
fi

# A dockerd that is starting (or a stale pid file) — wait for it instead of starting a second.
existing=$(pgrep -x dockerd | head -n1 || true)
if [ -z "$existing" ]; then
  rm -f /var/run/docker.pid
  LOG=${BERTH_DOCKERD_LOG:-$(mktemp -t berth-dockerd.XXXXXX.log)}
  log "starting dockerd (log: $LOG)"
  nohup dockerd --bridge=none --iptables=false >"$LOG" 2>&1 </dev/null &
  existing=$!
  disown "$existing" 2>/dev/null || true
fi

deadline=$((SECONDS + TIMEOUT_S))
until engine_up; do
  if ! kill -0 "$existing" 2>/dev/null; then
    log "dockerd exited; last log lines:"
    tail -n 30 "${LOG:-/dev/null}" >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "engine did not answer within ${TIMEOUT_S}s"
    tail -n 30 "${LOG:-/dev/null}" >&2 || true
    exit 1
  fi
  sleep 0.2
done

log "engine ready ($(docker version --format '{{.Server.Version}}'))"
echo "$existing"
