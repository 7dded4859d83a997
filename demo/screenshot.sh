#!/usr/bin/env bash
# demo/screenshot.sh REPORT.html OUT.png [WIDTH HEIGHT]
# Renders a page with headless Chromium (Debian package chromium) into a PNG,
# with a fresh profile and everything that would reach the network switched off.
set -euo pipefail
html=${1:?usage: demo/screenshot.sh REPORT.html OUT.png [WIDTH HEIGHT]}
png=${2:?usage: demo/screenshot.sh REPORT.html OUT.png [WIDTH HEIGHT]}
width=${3:-1400}; height=${4:-2400}
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "demo/screenshot.sh: chromium not found (apt-get install chromium)" >&2; exit 2; }
profile=$(mktemp -d /tmp/minqing-chromium.XXXXXX)
trap 'rm -rf "$profile"' EXIT
html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
rm -f "$png"
# Headless Chromium now and then hangs before it writes the screenshot (seen
# on a loaded 2-core machine): each attempt gets 90 s, and a hung one is
# killed with its children and retried with a fresh profile, three times.
for attempt in 1 2 3; do
	rm -rf "$profile/p"; mkdir -p "$profile/p"
	timeout -k 5 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--disable-background-networking --disable-component-update --disable-sync --no-first-run \
		--disable-default-apps --disable-extensions \
		--user-data-dir="$profile/p" --hide-scrollbars --window-size="$width,$height" \
		--screenshot="$png" "file://$html" >"$profile/chromium.log" 2>&1 || true
	[ -s "$png" ] && break
	echo "demo/screenshot.sh: attempt $attempt wrote no screenshot" >&2
	pkill -f -- "--user-data-dir=$profile/p" 2>/dev/null || true
done
[ -s "$png" ] || { echo "demo/screenshot.sh: chromium wrote no screenshot:" >&2; tail -20 "$profile/chromium.log" >&2; exit 1; }
