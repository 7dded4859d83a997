#!/usr/bin/env bash
# The make-demo report on a small city: demo/report.sh writes a self-contained
# HTML file, headless Chromium renders it to a PNG, and the PNG is not blank
# (many distinct colours; the header, choropleth and density colours present).
# Run by test/run.sh with MQ_ROOT, MQ_BIN, MQ_WORK and PGHOST/PGPORT set.
set -uo pipefail
psql() { "$MQ_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
out=$MQ_WORK/results/demo_report
rm -rf "$out"; mkdir -p "$out"
n=0
check() {  # exit-status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
db=minqing_demo_report
psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
psql -d "$db" -c "CREATE EXTENSION minqing CASCADE" >/dev/null 2>&1

# a small city: generate_city when it is installed, else a fixed 3-district fixture
if [ "$(psql -At -d "$db" -c "SELECT count(*) FROM pg_proc WHERE proname = 'generate_city'")" != 0 ]; then
	psql -d "$db" -c "SELECT minqing.generate_city('demo', 30000, 7)" >/dev/null
	check $? "generate_city('demo', 30000, 7)"
else
	psql -d "$db" >/dev/null <<'SQL'
CREATE SCHEMA demo;
CREATE TABLE demo.admin_unit (LIKE minqing.admin_unit);
INSERT INTO demo.admin_unit
SELECT format('1101%s000000', lpad(d::text, 2, '0')), 'District ' || d, 3, '110100000000', NULL,
       ST_Multi(ST_MakeEnvelope(116.3 + (d - 1) * 0.08, 39.85, 116.3 + d * 0.08, 39.93, 4326))
FROM generate_series(1, 3) d;
INSERT INTO demo.admin_unit
SELECT format('1101%s%s000', lpad(d::text, 2, '0'), lpad(s::text, 3, '0')), 'Street ' || d || '-' || s, 4,
       format('1101%s000000', lpad(d::text, 2, '0')), 20000 + 5000 * ((d + s) % 3),
       ST_Multi(ST_MakeEnvelope(116.3 + (d - 1) * 0.08 + ((s - 1) % 2) * 0.04, 39.85 + ((s - 1) / 2) * 0.04,
                                116.3 + (d - 1) * 0.08 + ((s - 1) % 2 + 1) * 0.04, 39.85 + ((s - 1) / 2 + 1) * 0.04, 4326))
FROM generate_series(1, 3) d, generate_series(1, 4) s;
CREATE TABLE demo.work_order (id bigint, created_at timestamptz, category_code text, unit_code text,
	geom geometry(Point, 4326), responded boolean, resolved boolean, satisfied boolean, closed_at timestamptz,
	caller_id text, department text, channel text);
SELECT setseed(0.42);
INSERT INTO demo.work_order
SELECT g, timestamptz '2024-01-01 00:00+00' + (random() * 365) * interval '1 day', 'water', NULL,
       CASE WHEN random() < 0.3
            THEN ST_SetSRID(ST_MakePoint(116.35 + 0.005 * (random() + random() - 1), 39.88 + 0.005 * (random() + random() - 1)), 4326)
            ELSE ST_SetSRID(ST_MakePoint(116.3 + random() * 0.24, 39.85 + random() * 0.08), 4326) END,
       random() < 0.95, random() < 0.8, CASE WHEN random() < 0.7 THEN random() < 0.75 END, NULL, NULL, NULL, 'phone'
FROM generate_series(1, 30000) g;
INSERT INTO demo.work_order
SELECT 100000 + g, timestamptz '2024-07-20 00:00+00' + (random() * random() * 12) * interval '1 day', 'drainage', NULL,
       ST_SetSRID(ST_MakePoint(116.3 + random() * 0.24, 39.85 + random() * 0.08), 4326), true, random() < 0.6, random() < 0.5,
       NULL, NULL, NULL, 'phone'
FROM generate_series(1, 2500) g;
UPDATE demo.work_order w SET unit_code = a.code FROM demo.admin_unit a WHERE a.level = 4 AND ST_Intersects(a.geom, w.geom);
SQL
	check $? "fixture city (generate_city not installed)"
fi

start=$(date +%s%N)
MQ_BIN=$MQ_BIN bash "$MQ_ROOT/demo/report.sh" demo "$out/report.html" "$db" 2>"$out/report.err"
check $? "demo/report.sh writes the report"
echo "# report took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cat "$out/report.err" | sed 's/^/# /'
html=$out/report.html
[ -s "$html" ] && [ "$(stat -c %s "$html")" -gt 20000 ] && tail -c 20 "$html" | grep -q '</html>'
check $? "the report is a complete HTML file of more than 20 kB ($(stat -c %s "$html" 2>/dev/null) bytes)"
! grep -qiE '<script|<img|<link|<iframe|src=|url\(|@import' "$html" && \
	[ "$(grep -oE 'https?://[^" ]*' "$html" | grep -cv '^http://www.w3.org/2000/svg$')" -eq 0 ]
check $? "the report is self-contained (no scripts, no links, no URLs but the SVG namespace)"
# six panels, a seventh (hot words) when work_order has the complaint text
want=6; [ "$(psql -At -d "$db" -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'demo.work_order'::regclass AND attname = 'content'")" = 1 ] && want=7
[ "$(grep -o '<section' "$html" | wc -l)" -eq "$want" ] && [ "$(grep -o '<svg' "$html" | wc -l)" -ge 5 ] && \
	[ "$(grep -o '<path' "$html" | wc -l)" -ge 30 ]
check $? "$want panels with maps and charts ($(grep -o '<svg' "$html" | wc -l) SVGs, $(grep -o '<path' "$html" | wc -l) paths)"
if [ "$want" = 7 ]; then
	grep -q '民情热词' "$html" && grep -q 'Hot words' "$html" && grep -q '<b>飞线充电</b>' "$html" && grep -q '<b>楼道充电</b>' "$html"
	check $? "the hot-words panel names the planted surge's words 飞线充电 and 楼道充电"
fi
grep -q 'Street index' "$html" && grep -q '街道民情指数' "$html" && grep -q 'Storm resilience' "$html" && grep -q '城市韧性' "$html"
check $? "captions in Chinese and English"

bash "$MQ_ROOT/demo/screenshot.sh" "$html" "$out/report.png" 1400 2400 2>"$out/screenshot.err"
check $? "headless Chromium renders the report to a PNG"
sed 's/^/# /' "$out/screenshot.err"
# header #17324d, best-score green #1a9850 / worst red #d73027, densest #8c2d04
stat=$(/usr/bin/python3 "$MQ_ROOT/demo/pngstat.py" "$out/report.png" '#17324d' '#1a9850' '#d73027' '#8c2d04' 2>&1)
echo "# png: $stat (width height colours header green red dense)"
set -- $stat
[ "${3:-0}" -ge 1000 ] && [ "${4:-0}" -ge 20000 ] && [ "${5:-0}" -ge 500 ] && [ "${6:-0}" -ge 500 ] && [ "${7:-0}" -ge 5 ]
check $? "the PNG is not blank: $3 distinct colours; header, choropleth and density colours drawn"
# without planted truths (a user's own data): every panel still draws
psql -d "$db" -c "CREATE SCHEMA own" -c "CREATE TABLE own.work_order AS SELECT * FROM demo.work_order WHERE id % 4 = 0" \
	-c "CREATE TABLE own.admin_unit AS SELECT * FROM demo.admin_unit" >/dev/null
MQ_BIN=$MQ_BIN MQ_REPORT_TZ=UTC bash "$MQ_ROOT/demo/report.sh" own "$out/own.html" "$db" 2>"$out/own.err" && \
	[ "$(grep -o '<svg' "$out/own.html" | wc -l)" -ge 5 ]
check $? "a city without planted truths gets the report too"
sed 's/^/# /' "$out/own.err"
# the Boston 311 data shipped in examples/boston/data: intact, and the loader
# (with its default data directory, as from a fresh clone) maps a sample of
# every 24th request (about 5k rows)
(cd "$MQ_ROOT/examples/boston/data" && sha256sum --quiet -c SHA256SUMS) >"$out/boston-sha.log" 2>&1
check $? "examples/boston/data matches its SHA256SUMS"
sed 's/^/# /' "$out/boston-sha.log"
[ "$(du -sk "$MQ_ROOT/examples/boston/data" | cut -f1)" -lt 10240 ]
check $? "examples/boston/data stays under 10 MB"
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
check $? "examples/boston/load.sh maps a 5k sample of the shipped Boston 311 data onto the canonical columns"
[ "${orders:-0}" -gt 0 ] || sed 's/^/# /' "$out/boston.log" | tail -20
psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
echo "1..$n"
