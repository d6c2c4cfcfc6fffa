#!/usr/bin/env bash
# Install Debian's Chromium for the example platform's browser tests (playwright-core drives it
# through `executablePath: '/usr/bin/chromium'`; `npx playwright install` cannot download
# browsers here).
#
# - Idempotent: when /usr/bin/chromium already runs, it only prints its version.
# - Otherwise `apt-get update` then `apt-get install -y chromium` (as root).
#
# Usage:  scripts/ci/install-chromium.sh
set -euo pipefail

CHROMIUM=/usr/bin/chromium
log() { printf 'install-chromium: %s\n' "$*" >&2; }

if [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; then
  log "already installed: $("$CHROMIUM" --version)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "must run as root (apt-get install)"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
log "installed: $("$CHROMIUM" --version)"
