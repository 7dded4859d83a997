#!/usr/bin/env bash
# map/check.sh URL CHECK_DIR [PNG]: the browser test of the map.  Headless
# Chromium (WebGL by SwiftShader, no GPU) opens URL?check; when every source
# is loaded and the map is idle, the page counts the features rendered in each
# layer (queryRenderedFeatures) and posts the counts and its canvas to the
# tile server, which writes CHECK_DIR/result.json and CHECK_DIR/map.png (the
# server must run with MAP_CHECK_DIR=CHECK_DIR).  Prints TAP (the page got
# ready, each of the four layers rendered features) and "N passed, N
# failed"; with PNG, copies the canvas there.  MAP_DEVTOOLS_PORT (default 57111): Chromium's debugging port
# on 127.0.0.1, which only keeps the headless browser open.
set -u
url=$1 dir=$2 png=${3:-}
chromium=$(command -v chromium || command -v chromium-browser || true)
n=0; fails=0
check() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
[ -n "$chromium" ] || { echo "not ok 1 - chromium not found (apt-get install chromium)"; echo "1..1"; exit 1; }
profile=$(mktemp -d /tmp/minqing-map-chromium.XXXXXX)
browser=
trap '[ -n "$browser" ] && kill "$browser" 2>/dev/null; wait 2>/dev/null; rm -rf "$profile"' EXIT
rm -f "$dir/result.json" "$dir/map.png"
timeout 300 "$chromium" --headless --no-sandbox --disable-background-networking --disable-component-update \
	--disable-sync --no-first-run --disable-default-apps --disable-extensions --user-data-dir="$profile" \
	--hide-scrollbars --use-angle=swiftshader --enable-unsafe-swiftshader --ignore-gpu-blocklist \
	--window-size=1000,750 --remote-debugging-address=127.0.0.1 --remote-debugging-port="${MAP_DEVTOOLS_PORT:-57111}" \
	"$url?check" >"$profile/chromium.log" 2>&1 &
browser=$!
# tiles are cut on demand: allow a slow, shared machine
for _ in $(seq 240); do
	[ -f "$dir/result.json" ] && break
	kill -0 "$browser" 2>/dev/null || break
	sleep 0.5
done
result=$(cat "$dir/result.json" 2>/dev/null)
[ -n "$result" ]; check $? "the page got ready (sources loaded, map idle): ${result:-no result}"
[ -n "$result" ] || grep -vi dbus "$profile/chromium.log" | tail -10 | sed 's/^/# /'
for layer in streets-fill density hotspot orders; do
	count=$(printf '%s' "$result" | grep -oE "\"$layer\":[0-9]+" | cut -d: -f2)
	[ "${count:-0}" -gt 0 ]; check $? "layer $layer rendered ${count:-0} features"
done
[ -s "$dir/map.png" ] && [ "$(head -c 8 "$dir/map.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
check $? "the page sent its canvas as a PNG"
[ -n "$png" ] && [ -s "$dir/map.png" ] && cp "$dir/map.png" "$png"
echo "1..$n"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
