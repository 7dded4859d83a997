#!/usr/bin/env bash
# The make-demo report on a small city: demo/report.sh writes a self-contained
# HTML file, headless Chromium renders it to a PNG, and the PNG is not blank
# (many distinct colours; the header, choropleth and density colours present).
# Run by test/run.sh with MQ_ROOT, MQ_BIN, MQ_WORK and PGHOST/PGPORT set.
set -uo pipefail
psql() { "$MQ_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
out=$MQ_WORK/results/demo_report
rm -rf "$out"; mkdir -p "$out"
. "$MQ_ROOT/test/lib/tap.sh"
db=minqing_demo_report
psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
psql -d "$db" -c "CREATE EXTENSION minqing CASCADE" >/dev/null 2>&1

# a small city
psql -d "$db" -c "SELECT minqing.generate_city('demo', 30000, 7)" >/dev/null
ok $? "generate_city('demo', 30000, 7)"

start=$(date +%s%N)
MQ_BIN=$MQ_BIN bash "$MQ_ROOT/demo/report.sh" demo "$out/report.html" "$db" 2>"$out/report.err"
ok $? "demo/report.sh writes the report"
echo "# report took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cat "$out/report.err" | sed 's/^/# /'
html=$out/report.html
[ -s "$html" ] && [ "$(stat -c %s "$html")" -gt 20000 ] && tail -c 20 "$html" | grep -q '</html>'
ok $? "the report is a complete HTML file of more than 20 kB ($(stat -c %s "$html" 2>/dev/null) bytes)"
! grep -qiE '<script|<img|<link|<iframe|src=|url\(|@import' "$html" && \
	[ "$(grep -oE 'https?://[^" ]*' "$html" | grep -cv '^http://www.w3.org/2000/svg$')" -eq 0 ]
ok $? "the report is self-contained (no scripts, no links, no URLs but the SVG namespace)"
# eight panels (the last two: class cases, repeat calls / FCR), a ninth (hot
# words) when work_order has the complaint text
want=8; [ "$(psql -At -d "$db" -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'demo.work_order'::regclass AND attname = 'content'")" = 1 ] && want=9
[ "$(grep -o '<section' "$html" | wc -l)" -eq "$want" ] && [ "$(grep -o '<svg' "$html" | wc -l)" -ge 5 ] && \
	[ "$(grep -o '<path' "$html" | wc -l)" -ge 30 ]
ok $? "$want panels with maps and charts ($(grep -o '<svg' "$html" | wc -l) SVGs, $(grep -o '<path' "$html" | wc -l) paths)"
if [ "$want" = 9 ]; then
	grep -q '民情热词' "$html" && grep -q 'Hot words' "$html" && grep -q '<b>飞线充电</b>' "$html" && grep -q '<b>楼道充电</b>' "$html"
	ok $? "the hot-words panel names the planted surge's words 飞线充电 and 楼道充电"
fi
grep -q '类案治理' "$html" && grep -q '一次解决率' "$html" && \
	[ "$(grep -o '<circle[^>]*stroke="#b2182b"' "$html" | wc -l)" -ge 5 ]
ok $? "class-case panel (map with at least 5 planted class cases found) and the repeat / FCR table"
grep -q 'Street index' "$html" && grep -q '街道民情指数' "$html" && grep -q 'Storm resilience' "$html" && grep -q '城市韧性' "$html"
ok $? "captions in Chinese and English"

# the public card beside the report, linked from it (relative link)
card=$out/report_card.html
grep -q 'href="report_card.html"' "$html" && [ -s "$card" ] && head -c 15 "$card" | grep -q '<!DOCTYPE html>' \
	&& tail -c 10 "$card" | grep -q '</html>' && grep -q '民情明白卡' "$card" && grep -q 'Public card of' "$card"
ok $? "the report links its public card report_card.html, written beside it ($(stat -c %s "$card" 2>/dev/null) bytes)"
! grep -qiE '<script|<img|<link|<iframe|src=|href=|url\(|@import|https?:' "$card" && \
	[ "$(grep -o '<path ' "$card" | wc -l)" -ge 4 ] && ! grep -qE '<circle|caller-|[0-9]\.[0-9]{3,}' "$card"
ok $? "the card is self-contained, maps $(grep -o '<path ' "$card" | wc -l) sub-units, shows no point, caller or fine coordinate"
bash "$MQ_ROOT/demo/screenshot.sh" "$card" "$out/report_card.png" 800 2000 2>"$out/card-screenshot.err"
stat=$(/usr/bin/python3 "$MQ_ROOT/demo/pngstat.py" "$out/report_card.png" '#17324d' 2>&1)
echo "# card png: $stat (width height colours header)"
set -- $stat
[ "${3:-0}" -ge 100 ] && [ "${4:-0}" -ge 20000 ]
ok $? "headless Chromium renders the card: $3 colours, the header drawn"
sed 's/^/# /' "$out/card-screenshot.err"

bash "$MQ_ROOT/demo/screenshot.sh" "$html" "$out/report.png" 1400 2400 2>"$out/screenshot.err"
ok $? "headless Chromium renders the report to a PNG"
sed 's/^/# /' "$out/screenshot.err"
# header #17324d, best-score green #1a9850 / worst red #d73027, densest #8c2d04
stat=$(/usr/bin/python3 "$MQ_ROOT/demo/pngstat.py" "$out/report.png" '#17324d' '#1a9850' '#d73027' '#8c2d04' 2>&1)
echo "# png: $stat (width height colours header green red dense)"
set -- $stat
[ "${3:-0}" -ge 1000 ] && [ "${4:-0}" -ge 20000 ] && [ "${5:-0}" -ge 500 ] && [ "${6:-0}" -ge 500 ] && [ "${7:-0}" -ge 5 ]
ok $? "the PNG is not blank: $3 distinct colours; header, choropleth and density colours drawn"
# without planted truths (a user's own data): every panel still draws
psql -d "$db" -c "CREATE SCHEMA own" -c "CREATE TABLE own.work_order AS SELECT * FROM demo.work_order WHERE id % 4 = 0" \
	-c "CREATE TABLE own.admin_unit AS SELECT * FROM demo.admin_unit" >/dev/null
MQ_BIN=$MQ_BIN MQ_REPORT_TZ=UTC bash "$MQ_ROOT/demo/report.sh" own "$out/own.html" "$db" 2>"$out/own.err" && \
	[ "$(grep -o '<svg' "$out/own.html" | wc -l)" -ge 5 ] && grep -q 'href="own_card.html"' "$out/own.html" && \
	grep -q '民情明白卡' "$out/own_card.html"
ok $? "a city without planted truths gets the report and its card too"
sed 's/^/# /' "$out/own.err"
# the Boston 311 data shipped in examples/boston/data: intact, and the loader
# (with its default data directory, as from a fresh clone) maps a sample of
# every 24th request (about 5k rows)
(cd "$MQ_ROOT/examples/boston/data" && sha256sum --quiet -c SHA256SUMS) >"$out/boston-sha.log" 2>&1
ok $? "examples/boston/data matches its SHA256SUMS"
sed 's/^/# /' "$out/boston-sha.log"
[ "$(du -sk "$MQ_ROOT/examples/boston/data" | cut -f1)" -lt 10240 ]
ok $? "examples/boston/data stays under 10 MB"
MQ_BIN=$MQ_BIN MQ_BOSTON_SAMPLE=24 bash "$MQ_ROOT/examples/boston/load.sh" "$db" boston >"$out/boston.log" 2>&1
got=$(psql -At -d "$db" -c "SELECT count(*), count(geom), count(*) FILTER (WHERE geom IS NULL AND unit_code IS NULL),
	(SELECT count(*) FROM boston.admin_unit WHERE level = 3), (SELECT count(*) FROM boston.admin_unit WHERE level = 4),
	(SELECT count(*) FROM boston.admin_unit WHERE population > 0),
	count(*) FILTER (WHERE category_code IN (SELECT code FROM minqing.category)),
	(SELECT (minqing.kpi(responded, resolved, satisfied)).satisfaction_rate IS NULL FROM boston.work_order)
	FROM boston.work_order" 2>&1)
echo "# boston sample: $got (orders, located, unknown location, neighbourhoods, tracts, units with population, mapped categories, no satisfaction)"
IFS="|" read -r orders located unknown nb tracts popu mapped nosat <<<"$got"
[ "${orders:-0}" -ge 4900 ] && [ "${orders:-0}" -le 5200 ] && [ "$unknown" -eq $((orders - located)) ] && [ "$unknown" -gt 0 ] &&
	[ "$nb" -eq 23 ] && [ "$tracts" -eq 206 ] && [ "$popu" -ge 210 ] && [ "$mapped" -eq "$orders" ] && [ "$nosat" = t ]
ok $? "examples/boston/load.sh maps a 5k sample of the shipped Boston 311 data onto the canonical columns"
[ "${orders:-0}" -gt 0 ] || sed 's/^/# /' "$out/boston.log" | tail -20
psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
tap_done
