#!/usr/bin/env bash
# Debian's Chromium for the pages' browser tests (Playwright drives it: its own browser
# download cannot reach its servers from here). Idempotent: installs only when missing.
# As another user than root it only checks, and says what to run.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "web-setup: Chromium is missing: run 'sudo apt-get install -y chromium' once." >&2
    exit 1
fi
echo "web-setup: installing Debian's Chromium for the browser tests…"
apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
command -v chromium >/dev/null
