#!/usr/bin/env bash
# The browser tests run on Debian's Chromium: Playwright's own browser downloads are not reachable
# from these machines, so `npx playwright install` is never used.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "e2e: installing Debian's chromium (needed for the browser tests)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "e2e: /usr/bin/chromium is missing. Install Debian's Chromium, then run the tests again:" >&2
    echo "       sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

exec playwright test "$@"
