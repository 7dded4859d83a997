#!/usr/bin/env bash
# demo/report.sh SCHEMA OUT.html [DATABASE]
# Writes the self-contained HTML report (demo/report.sql) of the city in
# SCHEMA (tables work_order, admin_unit and optionally planted) to OUT.html,
# one public card (明白卡, public_card_html) beside it, OUT_card.html, and
# the planted surge street's alert sheet (alert_sheet_html), OUT_alert_sheet.html,
# which the report links.
# Connects with the usual PG* environment (PGHOST, PGPORT, PGUSER); days are
# local days in MQ_REPORT_TZ (default Asia/Shanghai, the generated city's zone).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=${1:?usage: demo/report.sh SCHEMA OUT.html [DATABASE]}
out=${2:?usage: demo/report.sh SCHEMA OUT.html [DATABASE]}
db=${3:-${PGDATABASE:-postgres}}
psql=${MQ_BIN:+$MQ_BIN/}psql
mkdir -p "$(dirname "$out")"
tmp="$out.part"
tz=${MQ_REPORT_TZ:-Asia/Shanghai}
# the alert sheet (alert_sheet_html) of the planted surge's street, a week into
# the surge, beside the report: report.html -> report_alert_sheet.html, linked
sheet=""; sheet_label=""
if [ "$("$psql" -X -q -At -d "$db" -c "SELECT to_regclass('$schema.planted') IS NOT NULL")" = t ]; then
	surge=$("$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SELECT minqing.admin_ancestor(p.unit_codes[1], 4), p.start_date + 7, u.name
		FROM \"$schema\".planted p JOIN \"$schema\".admin_unit u ON u.code = minqing.admin_ancestor(p.unit_codes[1], 4)
		WHERE p.kind = 'surge' LIMIT 1")
	if [ -n "$surge" ]; then
		IFS='|' read -r sheet_unit sheet_day sheet_name <<<"$surge"
		sheet=$(basename "${out%.html}")_alert_sheet.html
		PGOPTIONS="${PGOPTIONS:-} -c TimeZone=$tz" "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$db" \
			-c "SELECT minqing.alert_sheet_html('\"$schema\".work_order', '$sheet_unit', '$sheet_day', '\"$schema\".admin_unit')" \
			>"$(dirname "$out")/$sheet.part"
		mv -f "$(dirname "$out")/$sheet.part" "$(dirname "$out")/$sheet"
		sheet_label="$sheet_name, $sheet_day"
	fi
fi
# the public card (明白卡) beside it, linked from the report: report.html -> report_card.html
card="${out%.html}_card.html"
card_tmp="$card.part"
# psql reads report_planted.sql relative to report.sql (\ir)
"$psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -v schema="$schema" -v out="$tmp" -v tz="$tz" \
	-v card="$(basename "$card")" -v card_out="$card_tmp" \
	-v sheet="$sheet" -v sheet_label="$sheet_label" -f "$here/report.sql"
mv -f "$card_tmp" "$card"
mv -f "$tmp" "$out"
