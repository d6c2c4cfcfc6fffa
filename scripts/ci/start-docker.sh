#!/usr/bin/env bash
# Start a local Docker Engine for Berth's Docker driver tests (and the example platform).
#
# - Installs docker.io (and busybox-static, which the test and agent images are built from) with
#   apt-get when missing (apt-get update first).
# - Starts `dockerd --bridge=none --iptables=false` in the background as root: no bridge
#   network and no iptables rules, so containers only get network mode `none` or `host`.
# - Waits for the socket and `docker info`, then prints dockerd's pid on stdout.
# - Idempotent: when the engine already answers, prints its pid and exits 0.
#
# Usage:  scripts/ci/start-docker.sh                (as root; the system engine, /var/run/docker.sock)
#         BERTH_DOCKERD_ROOT=/tmp/e2 scripts/ci/start-docker.sh
#             a private engine with everything under that directory (socket $ROOT/docker.sock,
#             data, exec root, pid file), e.g. for a test that restarts its own engine.
# Env:    BERTH_DOCKERD_LOG (default: $ROOT/dockerd.log, else a temp file), BERTH_DOCKERD_TIMEOUT (seconds, default 60).
set -euo pipefail

TIMEOUT_S=${BERTH_DOCKERD_TIMEOUT:-60}
ROOT=${BERTH_DOCKERD_ROOT:-}
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  SOCK=$ROOT/docker.sock
  PIDFILE=$ROOT/docker.pid
  EXTRA=(-H "unix://$SOCK" --data-root "$ROOT/data" --exec-root "$ROOT/exec" --pidfile "$PIDFILE")
else
  SOCK=/var/run/docker.sock
  PIDFILE=/var/run/docker.pid
  EXTRA=()
fi

log() { printf 'start-docker: %s\n' "$*" >&2; }

# The pid in the pid file, when that process is a live dockerd.
engine_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ]; then
    echo "$pid"
  fi
}

engine_up() { [ -S "$SOCK" ] && docker -H "unix://$SOCK" info >/dev/null 2>&1; }

if [ "$(id -u)" != 0 ]; then
  log "must run as root (dockerd needs it)"
  exit 1
fi

# docker.io for the engine and CLI; busybox-static for the test images and the agent image.
missing=()
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then missing+=(docker.io); fi
if [ ! -x /bin/busybox ]; then missing+=(busybox-static); fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pid=$(engine_pid)
if engine_up; then
  log "engine already running at $SOCK"
  echo "${pid:-$(pgrep -o -x dockerd || echo unknown)}"
  exit 0
fi

if [ -n "$ROOT" ]; then
  LOG=${BERTH_DOCKERD_LOG:-$ROOT/dockerd.log}
else
  LOG=${BERTH_DOCKERD_LOG:-$(mktemp -t berth-dockerd.XXXXXX.log)}
fi
if [ -z "$pid" ]; then
  rm -f "$PIDFILE" # stale: its dockerd is gone
  log "starting dockerd on $SOCK (log: $LOG)"
  nohup dockerd --bridge=none --iptables=false --ip-masq=false "${EXTRA[@]}" >"$LOG" 2>&1 </dev/null &
  pid=$!
  disown "$pid" 2>/dev/null || true
else
  log "dockerd $pid is starting; waiting for it"
fi

deadline=$((SECONDS + TIMEOUT_S))
until engine_up; do
  if ! kill -0 "$pid" 2>/dev/null; then
    log "dockerd exited; last log lines:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    log "engine did not answer within ${TIMEOUT_S}s; last log lines:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done

log "engine ready at $SOCK ($(docker -H "unix://$SOCK" version --format '{{.Server.Version}}'))"
echo "$pid"
