#!/usr/bin/env bash
# bench/alarms.sh — measured alarm precision (SPEC §11, issue #14): on the
# generated city (2 years; 2025 evaluated) and on the same city generated
# with events => false, per method (EARS C1, C2, C3, farrington, 'auto'):
# alarms per 1,000 series-days outside the planted windows and the days from
# each planted event's start to its first alarm.  Level 4 (streets) by
# default, as in issue #14.  Prints a markdown table (bench/alarms.sql).
#   bash bench/alarms.sh                    2M-order cities, level 4
#   MQ_ALARMS_ORDERS=1000000 MQ_ALARMS_LEVEL=5 bash bench/alarms.sh
# Runs niced in a throwaway cluster (test/lib/cluster.sh); or, with
# MQ_EXISTING_PGHOST/MQ_EXISTING_PGPORT, in an existing one with minqing
# installed (cities alarms_city_N / alarms_calm_N are kept there and reused).
# Takes a few minutes: two cities and six methods over 1,776 series × 365 days.
set -uo pipefail
if [ -z "${MQ_BENCH_NICED:-}" ]; then
	export MQ_BENCH_NICED=1
	exec nice -n 10 bash "$0" "$@"
fi
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
ORDERS=${MQ_ALARMS_ORDERS:-2000000}
LEVEL=${MQ_ALARMS_LEVEL:-4}
WORK=${MQ_WORK:-/tmp/minqing-bench-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
export MQ_PORT=${MQ_PORT:-55494}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM
if [ -z "${MQ_EXISTING_PGHOST:-}" ]; then
	mq_build_install "$WORK" || exit 1
fi
mq_start_cluster "$WORK" || exit 1
DB=${MQ_ALARMS_DB:-postgres}
PSQL="psql -X -q -At -v ON_ERROR_STOP=1 -d $DB"
$PSQL -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS minqing CASCADE" >/dev/null

city() {  # schema events
	local have
	have=$($PSQL -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$1' AND c.relname = 'planted'")
	if [ "$have" = 0 ]; then
		mq_log "generating $1 ($ORDERS orders, events => $2)"
		$PSQL -c "SELECT minqing.generate_city('$1', $ORDERS, 42, events => $2)" >/dev/null || exit 1
	fi
}
city "alarms_city_$ORDERS" true
city "alarms_calm_$ORDERS" false

echo "| city | method | alarms outside planted windows | series-days outside | per 1,000 | surge: days to first alarm | storm: days to first alarm |"
echo "|---|---|---:|---:|---:|---:|---:|"
for c in "alarms_city_$ORDERS" "alarms_calm_$ORDERS"; do
	mq_log "scoring $c"
	$PSQL -v city="$c" -v city_tbl="$c.work_order" -v level="$LEVEL" \
		-v year_from=2025-01-01 -v year_to=2025-12-31 -f "$MQ_ROOT/bench/alarms.sql" | grep '^|'
done
