#!/usr/bin/env bash
# The e2e suite drives the system's Chromium (Playwright cannot download its
# own browser here). Install it when we can; otherwise say exactly how.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then exit 0; fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
	echo "Chromium is missing; installing Debian's chromium package…"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	exit 0
fi
cat >&2 <<'MSG'
The e2e tests need Chromium at /usr/bin/chromium. Install it with:

    sudo apt-get update && sudo apt-get install -y chromium

or point CHROMIUM_PATH at another Chromium or Chrome binary, then run npm test again.
MSG
exit 1
