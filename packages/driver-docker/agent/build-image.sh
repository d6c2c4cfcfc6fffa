#!/usr/bin/env bash
# Build Berth's default agent image locally, from what the machine already has (no registry):
# a root filesystem with busybox (Debian's busybox-static), this machine's Node binary and the
# shared libraries it links, and agent.mjs; then `docker import` it.
#
# Usage: packages/driver-docker/agent/build-image.sh [tag]     (default tag: berth/agent:latest)
# Env:   DOCKER_HOST (engine), BERTH_AGENT_NODE (node binary, default `command -v node`),
#        BERTH_AGENT_BUSYBOX (default /bin/busybox), BERTH_AGENT_IMAGE_FORCE=1 (rebuild anyway).
# Idempotent: when the tag already holds an image built from the same inputs (same Node, busybox,
# agent.mjs and this script), nothing is rebuilt. Prints the image id on stdout.
set -euo pipefail

TAG=${1:-berth/agent:latest}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE=$(readlink -f "${BERTH_AGENT_NODE:-$(command -v node)}")
BUSYBOX=${BERTH_AGENT_BUSYBOX:-/bin/busybox}
log() { printf 'build-agent-image: %s\n' "$*" >&2; }

if [ ! -x "$BUSYBOX" ]; then
  log "no busybox at $BUSYBOX (apt-get install busybox-static)"
  exit 1
fi
if ldd "$BUSYBOX" >/dev/null 2>&1; then # ldd fails on a static binary
  log "$BUSYBOX is dynamically linked; install busybox-static"
  exit 1
fi
[ -x "$NODE" ] || { log "no node binary (set BERTH_AGENT_NODE)"; exit 1; }

# Shared libraries of node, with the dynamic loader.
mapfile -t LIBS < <(ldd "$NODE" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)

HASH=$( { sha256sum "$NODE" "$BUSYBOX" "$HERE/agent.mjs" "${BASH_SOURCE[0]}" "${LIBS[@]}" | awk '{print $1}'; } | sha256sum | cut -c1-32)

if [ "${BERTH_AGENT_IMAGE_FORCE:-0}" != 1 ]; then
  current=$(docker image inspect "$TAG" --format '{{ index .Config.Labels "berth.agent-image-hash" }}' 2>/dev/null || true)
  if [ "$current" = "$HASH" ]; then
    log "$TAG is up to date"
    docker image inspect "$TAG" --format '{{.Id}}'
    exit 0
  fi
fi

ROOTFS=$(mktemp -d -t berth-agent-rootfs.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS"/{bin,usr/bin,agent,workspace,tmp,etc,root,proc,sys,dev}
chmod 1777 "$ROOTFS/tmp"
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ -e "$ROOTFS/bin/$applet" ] || ln -s busybox "$ROOTFS/bin/$applet"
done
cp "$NODE" "$ROOTFS/usr/bin/node"
for lib in "${LIBS[@]}"; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
cp "$HERE/agent.mjs" "$ROOTFS/agent/agent.mjs"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$ROOTFS/etc/hosts"

log "importing $TAG ($(du -sh "$ROOTFS" | cut -f1))"
tar -C "$ROOTFS" --numeric-owner -c . | docker import \
  --change 'ENTRYPOINT ["/usr/bin/node", "/agent/agent.mjs"]' \
  --change 'WORKDIR /workspace' \
  --change 'ENV BERTH_WORKSPACE=/workspace PATH=/usr/bin:/bin' \
  --change "LABEL berth.agent-image-hash=$HASH org.opencontainers.image.title=berth-agent" \
  - "$TAG" >/dev/null
docker image inspect "$TAG" --format '{{.Id}}'
