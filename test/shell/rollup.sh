#!/usr/bin/env bash
# The rollup recipe of docs/rollup.md, run as written: the first ```sql block
# under "## The recipe" is extracted from the doc and executed on a generated
# city (its pg_cron line in the database pg_cron lives in, naming this one).
# Then: the index and the alarm list read from the rollups equal the ones
# read from the orders; the nightly refresh procedure rebuilds changed days
# exactly; a per-district rollup read per street says what it leaves out.
# Prints TAP.
set -u
export PGOPTIONS='--client-min-messages=warning'
DB=minqing_rollup_recipe
. "$MQ_ROOT/test/lib/tap.sh"
JOB=index-daily
cleanup() {
	qdb postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$JOB' AND database = '$DB'" >/dev/null 2>&1
	qdb postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
}
trap cleanup EXIT

qdb postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
q -c "CREATE EXTENSION minqing CASCADE" -c "SELECT minqing.generate_city('city', 30000, 7)" >/dev/null 2>&1 \
	|| { not_ok "generated city"; tap_done; exit 1; }

# the recipe block, as the doc has it
recipe=$(awk '/^## The recipe/ { on = 1 } on && /^```sql/ { inblock = 1; next } inblock && /^```/ { exit } inblock' \
	"$MQ_ROOT/docs/rollup.md")
check "docs/rollup.md has the recipe block" "$([ -n "$recipe" ] && grep -c 'CREATE PROCEDURE refresh_index_daily' <<<"$recipe")" 1
cron_line=$(grep '^SELECT cron\.' <<<"$recipe")
check "the recipe schedules one pg_cron job" "$(grep -c . <<<"$cron_line")" 1
out=$( { echo "SET search_path = city, public;"; grep -v '^SELECT cron\.' <<<"$recipe"; } | q 2>&1 >/dev/null)
ok $? "the recipe runs in the city's database"
[ -n "$out" ] && tap_diag "$out"

# pg_cron lives in the database of cron.database_name: the job names this one
qdb postgres -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null 2>&1
dbname="'$DB'"
jobid=$(qdb postgres -c "${cron_line//current_database()/$dbname}" 2>&1)
check "its pg_cron line schedules the nightly refresh" \
	"$(qdb postgres -c "SELECT command || ' @ ' || schedule FROM cron.job WHERE jobid = '${jobid//[^0-9]/}'::bigint AND database = '$DB'" 2>&1)" \
	"CALL refresh_index_daily(7) @ 20 0 * * *"

# one md5 over every field of a call's rows
IDX="SET TimeZone = 'Asia/Shanghai'; SET search_path = city, public;"
sum() { q -c "$IDX" -c "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM ($1) t" 2>&1; }
si() { echo "SELECT * FROM minqing.sentiment_index('$1', $2, '$3', '$4', units => 'admin_unit')"; }
for lv in 3 4 5; do
	check "sentiment_index level $lv, June 2025: community rollup = orders" \
		"$(sum "$(si index_daily $lv 2025-06-01 2025-07-01)")" "$(sum "$(si work_order $lv 2025-06-01 2025-07-01)")"
done
check "sentiment_index level 3, June 2025: district rollup = orders" \
	"$(sum "$(si index_daily_district 3 2025-06-01 2025-07-01)")" "$(sum "$(si work_order 3 2025-06-01 2025-07-01)")"
check "sentiment_index level 2, 2025 H1: district rollup = orders" \
	"$(sum "$(si index_daily_district 2 2025-01-01 2025-07-01)")" "$(sum "$(si work_order 2 2025-01-01 2025-07-01)")"
for m in C2 auto; do
	al="SELECT * FROM minqing.alarm_list('%s', 4, '2025-06-30', '$m', units => 'admin_unit')"
	check "alarm_list level 4 ($m): community rollup = orders" \
		"$(sum "$(printf "$al" index_daily)")" "$(sum "$(printf "$al" work_order)")"
done
check "the alarm list is not empty" \
	"$(q -c "$IDX" -c "SELECT count(*) > 0 FROM minqing.alarm_list('work_order', 4, '2025-06-30', 'C2', units => 'admin_unit')")" t

# the nightly refresh: change December's outcomes, refresh from 1 December on
# (the procedure's argument counts days back from today)
check "December per street before any change: community rollup = orders" \
	"$(sum "$(si index_daily 4 2025-12-01 2026-01-01)")" "$(sum "$(si work_order 4 2025-12-01 2026-01-01)")"
q -c "$IDX" -c "UPDATE work_order SET satisfied = NOT satisfied WHERE created_at >= '2025-12-01' AND id % 3 = 0" >/dev/null
check "after changing December's orders the stale rollup differs from them" \
	"$([ "$(sum "$(si index_daily 4 2025-12-01 2026-01-01)")" != "$(sum "$(si work_order 4 2025-12-01 2026-01-01)")" ] && echo t)" t
q -c "$IDX" -c "CALL refresh_index_daily(current_date - '2025-12-01'::date)" >/dev/null 2>&1
ok $? "CALL refresh_index_daily(days back to 1 December)"
check "after the refresh, December per street: community rollup = orders" \
	"$(sum "$(si index_daily 4 2025-12-01 2026-01-01)")" "$(sum "$(si work_order 4 2025-12-01 2026-01-01)")"
check "after the refresh, December per district: district rollup = orders" \
	"$(sum "$(si index_daily_district 3 2025-12-01 2026-01-01)")" "$(sum "$(si work_order 3 2025-12-01 2026-01-01)")"
check "the refresh kept one row per day and unit" \
	"$(q -c "SELECT count(*) FROM (SELECT day, unit_code FROM city.index_daily GROUP BY 1, 2 HAVING count(*) > 1) d")" 0

# a per-district rollup read per street: all-zero answers, and a NOTICE that says why
err=$(mktemp)
got=$(PGOPTIONS='--client-min-messages=notice' q -c "$IDX" \
	-c "SELECT sum(orders) FROM minqing.index_components('index_daily_district', 4, '2025-06-01', '2025-07-01', units => 'admin_unit')" 2>"$err")
check "district rollup read per street: no orders in any street" "$got" 0
june=$(q -c "$IDX" -c "SELECT count(*) FROM work_order WHERE created_at >= '2025-06-01' AND created_at < '2025-07-01'")
check "… and a NOTICE counting the June orders it left out" \
	"$(grep -o 'NOTICE:  [0-9]* orders of rollup relation city.index_daily_district in \[2025-06-01, 2025-07-01) are in units above level 4' "$err")" \
	"NOTICE:  $june orders of rollup relation city.index_daily_district in [2025-06-01, 2025-07-01) are in units above level 4"
rm -f "$err"
tap_done
