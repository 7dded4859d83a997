#!/usr/bin/env bash
# The scheduled-refresh recipe of the sentiment index (README, section index):
# a materialized view of sentiment_index with a unique index, refreshed
# CONCURRENTLY, scheduled by pg_cron.  Proves with two psql sessions that a
# reader is never blocked and never sees partial data during the refresh,
# that a plain REFRESH would block it (so the probe can see blocking), and
# that a pg_cron job performs the refresh.  Prints TAP.
set -u
export PGOPTIONS='--client-min-messages=warning'
DB=minqing_index_cron
. "$MQ_ROOT/test/lib/tap.sh"
TMP=$(mktemp -d); chmod 777 "$TMP"
cleanup() {
	qdb postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'minqing-index-test'" >/dev/null 2>&1
	qdb postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

qdb postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
qdb "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" \
	-f "$MQ_ROOT/test/pgtap/index_fixture.psql" >/dev/null 2>&1 || { not_ok "fixture"; tap_done; exit 1; }

# The recipe (pause() is the test's own brake, to make a refresh last ~4 s).
qdb "$DB" >/dev/null 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE FUNCTION idx.pause() RETURNS boolean LANGUAGE sql VOLATILE
	AS $$ SELECT true FROM pg_sleep(coalesce(nullif(current_setting('idx.pause', true), '')::float8, 0)) $$;
CREATE MATERIALIZED VIEW idx.street_index AS
	SELECT s.* FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08',
	                                        units => 'idx.admin_unit') s
	WHERE (SELECT idx.pause());
CREATE UNIQUE INDEX ON idx.street_index (unit_code);
CREATE MATERIALIZED VIEW idx.community_index AS
	SELECT s.* FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01 00:00+08', '2025-07-01 00:00+08',
	                                        units => 'idx.admin_unit') s;
CREATE UNIQUE INDEX ON idx.community_index (unit_code);
SQL
SUM="SELECT md5(string_agg(t::text, '|' ORDER BY t.unit_code)) FROM"
old=$(qdb "$DB" -c "$SUM idx.street_index t")
direct=$(qdb "$DB" -c "$SUM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') t")
ok $([ -n "$old" ] && [ "$old" = "$direct" ]; echo $?) "materialized view equals the direct call"
ok $(qdb "$DB" -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'idx' AND indexname LIKE '%unit_code%' AND indexdef LIKE 'CREATE UNIQUE%'" | grep -qx 2; echo $?) \
	"both views have a unique index (needed by CONCURRENTLY)"

# New data: street 05-001 gets much worse; the ranking changes.
qdb "$DB" -c "UPDATE idx.work_order SET satisfied = false, resolved = false WHERE unit_code LIKE '110105001%'" >/dev/null
new=$(qdb "$DB" -c "$SUM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') t")
newc=$(qdb "$DB" -c "$SUM minqing.sentiment_index('idx.work_order', 5, '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') t")
ok $([ "$new" != "$old" ]; echo $?) "the new data changes the index"

# pg_cron: schedule the community view's refresh now; it fires at the next
# minute boundary (pg_cron 1.4 has minute resolution) while we test below.
qdb postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null
jobid=$(qdb postgres -c "SELECT cron.schedule_in_database('minqing-index-test', '* * * * *',
	'REFRESH MATERIALIZED VIEW CONCURRENTLY idx.community_index', '$DB')")
ok $([ -n "$jobid" ]; echo $?) "pg_cron job scheduled (id $jobid)"

# Session A: a concurrent refresh that takes ~4 s.  Session B: reads in a loop.
reader() {  # file lock_timeout seconds: one line per read "rc elapsed_ms checksum refresh_active"
	local out=$1 lt=$2 until=$(( $(date +%s) + $3 )) t0 t1 r rc
	while [ "$(date +%s)" -lt "$until" ]; do
		t0=$(date +%s%N)
		r=$(qdb "$DB" -c "SET lock_timeout = '$lt'" -F ' ' -c "SELECT md5(string_agg(t::text, '|' ORDER BY t.unit_code)),
			(SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'REFRESH MATERIALIZED VIEW%idx.street_index%' AND state = 'active')
			FROM idx.street_index t" 2>&1); rc=$?
		t1=$(date +%s%N)
		echo "$rc $(( (t1 - t0) / 1000000 )) $(echo $r | tr '\n' ' ')" >>"$out"
		sleep 0.1
	done
}
qdb "$DB" -c "SET idx.pause = 4" -c "REFRESH MATERIALIZED VIEW CONCURRENTLY idx.street_index" >"$TMP/a.out" 2>&1 &
apid=$!
sleep 0.3
reader "$TMP/b.out" 1s 6
wait $apid; arc=$?
ok $arc "session A: REFRESH MATERIALIZED VIEW CONCURRENTLY succeeded"
reads=$(wc -l <"$TMP/b.out")
during=$(awk '$1 == 0 && $4 > 0' "$TMP/b.out" | wc -l)
errors=$(awk '$1 != 0' "$TMP/b.out" | wc -l)
maxms=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$TMP/b.out")
foreign=$(awk -v o="$old" -v n="$new" '$1 == 0 && $3 != o && $3 != n' "$TMP/b.out" | wc -l)
ok $([ "$during" -ge 2 ]; echo $?) "session B read $during times while the refresh was running ($reads reads in all)"
ok $([ "$errors" -eq 0 ]; echo $?) "session B was never blocked: no read hit its 1 s lock_timeout (slowest read $maxms ms, the refresh took ~4 s)"
ok $([ "$foreign" -eq 0 ]; echo $?) "session B saw only the complete old or the complete new index, never a mixture"
ok $(awk -v o="$old" '$1 == 0 && $4 > 0 && $3 == o' "$TMP/b.out" | grep -q .; echo $?) \
	"during the refresh session B saw the old index"
after=$(qdb "$DB" -c "$SUM idx.street_index t")
ok $([ "$after" = "$new" ]; echo $?) "after the refresh the view holds the new index"

# Contrast: a plain REFRESH takes an ACCESS EXCLUSIVE lock; the same probe is blocked.
qdb "$DB" -c "SET idx.pause = 4" -c "REFRESH MATERIALIZED VIEW idx.street_index" >/dev/null 2>&1 &
apid=$!
sleep 0.5
reader "$TMP/c.out" 500ms 3
wait $apid
ok $(awk '$1 != 0' "$TMP/c.out" | grep -q 'lock timeout'; echo $?) \
	"control: a plain REFRESH does block the reader (lock timeout), so the probe detects blocking"

# pg_cron: wait for the job's run (at most ~65 s after scheduling).
status=""
for i in $(seq 1 140); do
	status=$(qdb postgres -c "SELECT status FROM cron.job_run_details WHERE jobid = $jobid AND status IN ('succeeded', 'failed') ORDER BY runid LIMIT 1")
	[ -n "$status" ] && break
	sleep 0.5
done
ok $([ "$status" = succeeded ]; echo $?) "pg_cron ran the concurrent refresh (status: ${status:-none})"
cron_after=$(qdb "$DB" -c "$SUM idx.community_index t")
ok $([ "$cron_after" = "$newc" ]; echo $?) "after the pg_cron run the community view holds the new index"
tap_done
