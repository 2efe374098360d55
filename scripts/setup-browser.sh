#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser test
# (tests/e2e/test_webchat.py). Playwright drives that binary; it never downloads a browser.
# Does nothing when Chromium is already there. Run by `make test`.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

printf '\033[1m==> %s\033[0m\n' "Installing Chromium for the browser test (Debian package chromium)"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Fejl: Chromium mangler ($CHROMIUM), og apt-get findes ikke her." >&2
  echo "Error: Chromium is missing and this is not Debian/Ubuntu: install Chromium and set CHROMIUM=/path/to/chromium." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Error: Chromium is missing; run as root: apt-get update && apt-get install -y chromium" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
