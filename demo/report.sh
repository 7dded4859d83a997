#!/usr/bin/env bash
# demo/report.sh SCHEMA OUT.html [DATABASE]
# Writes the self-contained HTML report (demo/report.sql) of the city in
# SCHEMA (tables work_order, admin_unit and optionally planted) to OUT.html,
# and one public card (明白卡, public_card_html) beside it, OUT_card.html,
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
# the public card (明白卡) beside it, linked from the report: report.html -> report_card.html
card="${out%.html}_card.html"
card_tmp="$card.part"
# psql reads report_planted.sql relative to report.sql (\ir)
"$psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -v schema="$schema" -v out="$tmp" -v tz="${MQ_REPORT_TZ:-Asia/Shanghai}" \
	-v card="$(basename "$card")" -v card_out="$card_tmp" -f "$here/report.sql"
mv -f "$card_tmp" "$card"
mv -f "$tmp" "$out"
