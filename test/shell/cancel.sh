#!/usr/bin/env bash
# Cancellation: every long minqing loop honours statement_timeout and
# pg_cancel_backend within about a second (CHECK_FOR_INTERRUPTS in every loop
# that grows with the input).  Each case is a small input that makes one
# function work for many seconds inside its C loops; with statement_timeout =
# 1s the statement must end with SQLSTATE 57014 less than MQ_CANCEL_SLACK
# (default 3.0: "about a second" plus scheduling noise on a loaded 2-core
# machine; idle, the cases measure 0.02-0.7 s; a loop without
# CHECK_FOR_INTERRUPTS runs on for its full 10+ s) seconds after the timeout.  Cases that finish
# before the timeout (too light to measure) or that the function refuses up
# front are skipped.
set -u
. "$MQ_ROOT/test/lib/tap.sh"
DB=mq_cancel
slack=${MQ_CANCEL_SLACK:-3.0}

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null || exit 1
# 3,000 points over ~10 km in Web Mercator meters and in lon/lat, 60 days
q >/dev/null <<'SQL'
CREATE TABLE pts AS
SELECT i, ST_SetSRID(ST_MakePoint(12950000 + (i * 7919 % 10007), 4850000 + (i * 104729 % 10009)), 3857) AS geom,
       ST_SetSRID(ST_MakePoint(116.30 + (i * 7919 % 10007) / 100000.0, 39.85 + (i * 104729 % 10009) / 100000.0), 4326) AS geog,
       date '2024-01-01' + i % 60 AS day, (1 + i % 5)::float8 AS value, '110105001' || lpad((1 + i % 50)::text, 3, '0') AS unit_code
FROM generate_series(1, 3000) i;
ANALYZE pts;
SQL

# name | heavy query
cases=(
"kde on a fine grid with a wide bandwidth|SELECT minqing.kde(geom, 3, 3000) IS NULL FROM pts"
"kde on lon/lat input|SELECT minqing.kde(geog, 3, 3000) IS NULL FROM pts"
"grid_cells of a large grid|SELECT count(*) FROM minqing.grid_cells((SELECT minqing.kde(geom, 3, 3000) FROM pts WHERE i <= 30))"
"kde_bandwidth|SELECT minqing.kde_bandwidth(g) FROM (SELECT geom AS g FROM pts, generate_series(1, 3000)) s"
"gi_star with a distance covering everything|SELECT sum(z) FROM (SELECT minqing.gi_star(value, geom, 1e9::float8) OVER () AS z FROM pts, generate_series(1, 10)) s"
"hotspot with a 3 km band|SELECT count(h) FROM (SELECT minqing.hotspot(value, geom, 3000::float8) OVER () AS h FROM pts, generate_series(1, 40)) s"
"local_moran with 99,999 permutations|SELECT count(m) FROM (SELECT minqing.local_moran(value, geom, 3000::float8, 99999, 1) OVER () AS m FROM pts) s"
"stscan with many replications|SELECT minqing.stscan(geom, day, value, 5000, 30, 99999, 1) IS NULL FROM pts"
"generate_city with a huge order count|SELECT minqing.generate_city('big', 100000000, 1)"
"zh_segment of a 4 MB document|SELECT cardinality(minqing.zh_segment(repeat('电动车楼道充电积水停电', 100000)))"
"term_counts over long documents|SELECT minqing.term_counts(repeat('电动车楼道充电积水停电', 100000)) IS NULL FROM generate_series(1, 20)"
)

run_case() {  # name sql
	local name=$1 sql=$2 out el late t0 t1
	# times taken by the server right before and after the statement, so
	# connection start-up and client scheduling are not counted
	out=$(psql -X -q -At -d "$DB" -v VERBOSITY=verbose -c "SET statement_timeout = '1s'" \
		-c "SELECT 'T0 ' || extract(epoch FROM clock_timestamp())" -c "$sql" \
		-c "SELECT 'T1 ' || extract(epoch FROM clock_timestamp())" 2>&1)
	t0=$(grep -m1 '^T0 ' <<<"$out" | cut -c4-); t1=$(grep -m1 '^T1 ' <<<"$out" | cut -c4-)
	if grep -q '^ERROR' <<<"$out"; then out=$(grep -m1 '^ERROR' <<<"$out"); else out=$(grep -v '^T[01] ' <<<"$out" | head -1); fi
	[ -z "$t0" ] && t0=0; [ -z "$t1" ] && t1=$t0
	el=$(echo "$t1 - $t0" | bc -l)
	late=$(echo "$el - 1.0" | bc -l)
	case "$out" in
	*57014*)
		if [ "$(echo "$late < $slack" | bc -l)" = 1 ]; then
			ok 0 "$(printf '%s: cancelled %.2fs after the timeout' "$name" "$late")"
		else
			not_ok "$(printf '%s: cancelled %.2fs after the timeout (limit %ss)' "$name" "$late" "$slack")"
		fi ;;
	*XX000*|*"server closed the connection"*|*"terminated"*)
		not_ok "$name: $out" ;;
	ERROR*)
		skip "$name" "$(printf 'refused up front or not runnable as written (%.2fs): %s' "$el" "${out:0:160}")" ;;
	*)
		skip "$name" "$(printf 'finished in %.2fs, too light to measure' "$el")" ;;
	esac
}
for c in "${cases[@]}"; do
	IFS='|' read -r name sql <<<"$c"
	run_case "$name" "$sql"
done

# pg_cancel_backend from another session, on the first case still running
# after 1.5 s
cancelled=""
for c in "${cases[@]}"; do
	IFS='|' read -r name sql <<<"$c"
	psql -X -q -At -d "$DB" -c "SET application_name = 'mq_cancel_me'" -c "$sql" >"${MQ_WORK:-/tmp}/cancel.out" 2>&1 &
	bg=$!
	sleep 1.5
	if ! kill -0 "$bg" 2>/dev/null; then wait "$bg"; continue; fi   # already done: too light
	t0=$(date +%s.%N)
	q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'mq_cancel_me'" >/dev/null
	wait "$bg"
	t1=$(date +%s.%N)
	el=$(echo "$t1 - $t0" | bc -l)
	if grep -q 'canceling statement due to user request' "${MQ_WORK:-/tmp}/cancel.out" && [ "$(echo "$el < $slack" | bc -l)" = 1 ]; then
		ok 0 "$(printf 'pg_cancel_backend stops %s within %.2fs' "$name" "$el")"
	else
		not_ok "$(printf 'pg_cancel_backend on %s: %.2fs' "$name" "$el")" "$(head -c 200 "${MQ_WORK:-/tmp}/cancel.out")"
	fi
	cancelled=1
	break
done
[ -z "$cancelled" ] && not_ok "pg_cancel_backend: no case ran for 1.5 s"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
tap_done
