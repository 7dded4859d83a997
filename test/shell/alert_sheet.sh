#!/usr/bin/env bash
# The alert sheet's HTML page (alert_sheet_html, docs/alert_sheet.md) in
# headless Chromium: the sheet of the planted e-bike surge's street on the
# morning of the surge's second day (2025-09-09), from the 2M-order generated
# city (seed 42) restricted to that street.  The page is self-contained,
# renders to a PNG that is not blank (the dark header row and the surge's red
# mark drawn), and its first item is the surge.
# Run by test/run.sh with MQ_ROOT, MQ_BIN, MQ_WORK and PGHOST/PGPORT set.
set -uo pipefail
out=$MQ_WORK/results/alert_sheet
rm -rf "$out"; mkdir -p "$out"
. "$MQ_ROOT/test/lib/tap.sh"
DB=minqing_alert_sheet
psql() { "$MQ_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
psql -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null 2>&1

psql -d "$DB" >"$out/setup.log" 2>&1 <<'SQL'
CREATE TABLE units AS SELECT code, name, level, parent_code, population FROM minqing.generate_city_units();
CREATE TABLE orders AS
SELECT * FROM minqing.generate_city_orders(2000000, 42, 0, 2000000)
WHERE unit_code LIKE '990104003%' AND created_at >= '2024-06-01';
ANALYZE orders;
SQL
ok $? "the surge's street of the 2M-order city ($(psql -At -d "$DB" -c "SELECT count(*) FROM orders" 2>/dev/null) orders)"

html=$out/alert_sheet.html
start=$(date +%s%N)
PGOPTIONS="-c TimeZone=Asia/Shanghai" "$MQ_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" \
	-c "SELECT minqing.alert_sheet_html('orders', '990104003000', '2025-09-09', 'units')" >"$html" 2>"$out/sheet.err"
ok $? "alert_sheet_html() writes the page"
echo "# sheet took $(( ($(date +%s%N) - start) / 1000000 )) ms"
sed 's/^/# /' "$out/sheet.err"
tail -c 20 "$html" | grep -q '</html>' && grep -q '民情预警单' "$html" && grep -q 'Alert sheet' "$html" && grep -q '新华路街道' "$html"
ok $? "a complete page with the bilingual heading and the street's name ($(stat -c %s "$html") bytes)"
! grep -qiE '<script|<img|<link|<iframe|src=|url\(|@import|https?://' "$html"
ok $? "self-contained: no scripts, images, links or URLs"
first=$(grep -o '<tr class="[a-z_]*"><td class="num">1</td>.*' "$html" | head -1)
case $first in '<tr class="surge">'*电动车充电*公安局*) r=0 ;; *) r=1 ;; esac
ok $r "the first item is the e-bike charging surge, with its department"

bash "$MQ_ROOT/demo/screenshot.sh" "$html" "$out/alert_sheet.png" 1000 900 2>"$out/screenshot.err"
ok $? "headless Chromium renders the page to a PNG"
sed 's/^/# /' "$out/screenshot.err"
# header row #17324d, the surge's left border #b2182b
stat=$(/usr/bin/python3 "$MQ_ROOT/demo/pngstat.py" "$out/alert_sheet.png" '#17324d' '#b2182b' 2>&1)
echo "# png: $stat (width height colours header surge-red)"
set -- $stat
[ "${3:-0}" -ge 100 ] && [ "${4:-0}" -ge 10000 ] && [ "${5:-0}" -ge 200 ]
ok $? "the PNG is not blank: $3 distinct colours; the header row and the surge's red mark drawn"
psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
tap_done
