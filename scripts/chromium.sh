#!/usr/bin/env bash
# Install (if needed) Debian's Chromium for the dashboard's browser tests; print its path.
# Idempotent and quick when it is there. Playwright drives this binary (executable_path):
# Playwright's own browser download is never used.
set -euo pipefail
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "$candidate"
    exit 0
  fi
done
echo "installing Chromium from Debian's packages..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
echo /usr/bin/chromium
