#!/usr/bin/env bash
# make bench: time minqing against the physical floor (count(*) by a
# sequential scan of the same rows) and the SQL a DBA would write by hand,
# serially and with 2 parallel workers, on generated cities.  Never part of
# `make test`; runs under `nice`.
#
#   make bench                              1M-order city
#   MQ_BENCH_FULL=1 make bench              1M, 5M and 20M
#   MQ_BENCH_SIZES="200000 1000000" make bench
#   MQ_BENCH_RUNS=7 make bench              timed runs per query (median reported; default 5, 3 above 5M)
#   MQ_BENCH_CASES="rate kpi" make bench    only these bench/cases/NAME.sql files (no extras)
#   MQ_BENCH_EXTRAS=0 make bench            skip the feature scripts bench/*.sh (hotspot.sh, warning.sh …)
#   MQ_BENCH_MEMORY=0 make bench            skip the peak-memory run of each case
#
# Generated cities are kept.  The benchmark cluster lives in MQ_BENCH_DATA
# (default /tmp/minqing-bench-cluster, shared by every worktree, one run at a
# time: the runner waits on the lock file MQ_BENCH_DATA.lock).  Each city is
# the schema city_<size>_<seed> of database minqing_bench; public.bench_city
# records the md5 of the generator sources (src/generate*.[ch],
# install/20-generate.sql) it was made with, and a city is generated again
# only when they changed (or MQ_BENCH_REGENERATE=1; MQ_BENCH_REUSE=1 keeps an
# older city and says so in the report).  A 20M-order city takes
# ~6 GB of disk and a few minutes to generate; later runs start in seconds.
# Each run re-creates the extension from the worktree's build (DROP EXTENSION
# minqing CASCADE: the city tables do not depend on it).  rm -rf the directory
# to reclaim the space.  MQ_BENCH_SEED (default 42) picks the seed.
#
# Adding a benchmark: a file bench/cases/NAME.sql with, per case, three
# comment lines (each query on ONE line; :tbl is the work_order table,
# :units its admin_unit table, :schema the city's schema):
#   -- bench: short name
#   -- minqing: SELECT minqing.rate(satisfied) FROM :tbl
#   -- dba: SELECT count(*) FILTER (WHERE satisfied), count(satisfied) FROM :tbl
# Optional, after the bench line: "-- max_size: 1000000" (skip bigger cities),
# "-- parallel: no" (skip the 2-worker run, e.g. window functions).  The dba
# line may be omitted when there is no hand-written equivalent.  A file may
# also hold "-- setup: SQL" lines (one statement per line, run once per city
# before its cases, e.g. to build a rollup table; it may use :tbl, :units,
# :schema and should be idempotent: the city is kept).
set -uo pipefail
if [ -z "${MQ_BENCH_NICED:-}" ]; then
	export MQ_BENCH_NICED=1
	exec nice -n 10 bash "$0" "$@"
fi
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"

if [ -n "${MQ_BENCH_SIZES:-}" ]; then SIZES=$MQ_BENCH_SIZES
elif [ -n "${MQ_BENCH_FULL:-}" ]; then SIZES="1000000 5000000 20000000"
else SIZES=1000000; fi
RUNS_SET=${MQ_BENCH_RUNS:-}
RUNS=${MQ_BENCH_RUNS:-5}
SEED=${MQ_BENCH_SEED:-42}
DATA=${MQ_BENCH_DATA:-/tmp/minqing-bench-cluster}
ONLY=" ${MQ_BENCH_CASES:-} "
DB=minqing_bench
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)-bench}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

die() { echo "minqing bench: $*" >&2; exit 1; }
for s in $SIZES; do [[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -ge 1000 ] && [ "$s" -le 100000000 ] || die "bad size '$s' (1000 .. 100000000)"; done
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] || die "MQ_BENCH_RUNS must be a positive integer"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "MQ_BENCH_SEED must be a non-negative integer"

trap 'mq_stop_cluster' EXIT
trap 'echo; mq_log "interrupted; stopping the cluster"; exit 130' INT TERM

mq_ensure_packages || exit $?
mkdir -p "$WORK" && chmod 755 "$WORK" || die "cannot use $WORK; set MQ_WORK"
mkdir -p "$DATA" || die "cannot use $DATA; set MQ_BENCH_DATA"
# one benchmark at a time on this machine (they would disturb each other anyway)
exec 9>"$DATA.lock"
if ! flock -n 9; then
	mq_log "another make bench holds $DATA.lock; waiting"
	flock 9 || die "cannot lock $DATA.lock"
fi
if [ -f "$DATA/data/postmaster.pid" ] && ps -p "$(head -1 "$DATA/data/postmaster.pid")" >/dev/null 2>&1; then
	die "a cluster is already running in $DATA; stop it (pg_ctl -D $DATA/data stop, as postgres)"
fi
mq_build_install "$WORK" || die "build failed"
export MQ_STOP_MODE=fast
mq_start_kept_cluster "$DATA" || die "could not start the benchmark cluster in $DATA (set MQ_BENCH_DATA / MQ_PORT)"
psql -X -q -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 ||
	psql -X -q -d postgres -c "CREATE DATABASE $DB" || die "cannot create $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS minqing CASCADE" \
	-c "CREATE EXTENSION minqing CASCADE" \
	-c "CREATE TABLE IF NOT EXISTS public.bench_city (schema_name text PRIMARY KEY, orders bigint, seed int, generator text, seconds float8, created timestamptz)" ||
	die "CREATE EXTENSION failed"
GENERATOR=$(cat "$MQ_ROOT"/src/generate*.[ch] "$MQ_ROOT"/install/20-generate.sql | md5sum | cut -c1-12)

SERIAL="SET max_parallel_workers_per_gather = 0;"
# The floor: count(*) read by a sequential scan of the table, the rows every
# minqing query here must read.  Left to itself the planner answers count(*)
# from an index-only scan of the smallest btree once VACUUM has set the
# visibility map: that reads the index (~40 bytes a row), not the rows
# (~300 bytes), so it is reported on its own line, not used as the floor.
# One query string (psql \;), so log_statement_stats reports it once.
FLOOR='BEGIN \; SET LOCAL enable_indexonlyscan = off \; SET LOCAL enable_indexscan = off \; SET LOCAL enable_bitmapscan = off \; SELECT count(*) FROM :tbl \; COMMIT'
PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"

# median_ms MODE VARS SQL: warm-up run, then $RUNS timed runs; prints the median in ms
median_ms() {
	local mode=$1 vars=$2 sql=$3 i
	{
		echo "$vars"
		[ "$mode" = parallel ] && echo "$PARALLEL" || echo "$SERIAL"
		echo '\o /dev/null'
		echo "$sql;"			# warm-up
		echo '\timing on'
		for ((i = 0; i < RUNS; i++)); do echo "$sql;"; done
	} | psql -X -q -v ON_ERROR_STOP=1 -d $DB 2>"$WORK/bench-err.log" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# paired VARS MQ DBA PAR: $RUNS serial rounds, each running back to back
# the floor ($FLOOR), the minqing query and the dba query (if any), measuring wall time
# (psql \timing) and the backend's CPU time (log_statement_stats: getrusage
# user + system, reported to the client); CPU time is what makes the ratios
# meaningful on a loaded shared machine.  Then the minqing query with 2
# workers in its own session (wall time).  Prints
# "wall_mq cpu_mq cpu_floor cpu_dba wall_par cpu_mq/cpu_floor cpu_mq/cpu_dba wall_mq/wall_par"
# (medians; ratios are medians of per-round ratios; NA where not run or failed).
paired() {
	local vars=$1 mq=$2 dba=$3 par=$4 i k=2 wall_par=NA
	[ -n "$dba" ] && k=3
	{
		echo "$vars"
		echo '\o /dev/null'
		echo "$FLOOR;"; echo "$mq;"; [ -n "$dba" ] && echo "$dba;"	# warm-up
		echo '\timing on'
		for ((i = 0; i < RUNS; i++)); do
			echo "$FLOOR;"
			echo "$mq;"
			[ -n "$dba" ] && echo "$dba;"
		done
	} | PGOPTIONS="-c max_parallel_workers_per_gather=0 -c log_statement_stats=on -c client_min_messages=log" \
		psql -X -q -v ON_ERROR_STOP=1 -d $DB >"$WORK/bench-out.log" 2>"$WORK/bench-stats.log"
	[ "$par" != no ] && wall_par=$(median_ms parallel "$vars" "$mq")
	{
		sed -n 's/^Time: \([0-9.]*\) ms.*/W \1/p' "$WORK/bench-out.log"
		sed -n 's/^![[:space:]]*\([0-9.]*\) s user, \([0-9.]*\) s system.*/C \1 \2/p' "$WORK/bench-stats.log"
	} | awk -v k=$k -v hasdba=$([ -n "$dba" ] && echo 1 || echo 0) -v par="$wall_par" '
		function med(a, n,    i, j, t) {
			if (n == 0) return "NA"
			for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
			return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == "W" { w[++nw] = $2 }
		$1 == "C" { c[++nc] = 1000 * ($2 + $3) }
		END {
			skip = k					# CPU lines of the warm-up
			r = int(nw / k); if (int((nc - skip) / k) < r) r = int((nc - skip) / k)
			for (i = 0; i < r; i++) {
				b = i * k
				WM[i + 1] = w[b + 2]
				CF[i + 1] = c[skip + b + 1]; CM[i + 1] = c[skip + b + 2]
				RF[i + 1] = (CF[i + 1] > 0) ? CM[i + 1] / CF[i + 1] : 0
				if (hasdba) { CD[i + 1] = c[skip + b + 3]; RD[i + 1] = (CD[i + 1] > 0) ? CM[i + 1] / CD[i + 1] : 0 }
			}
			wm = med(WM, r)
			printf "%s %s %s %s %s %s %s %s\n", wm, med(CM, r), med(CF, r), (hasdba ? med(CD, r) : "NA"), par,
				med(RF, r), (hasdba ? med(RD, r) : "NA"), ((par != "NA" && wm != "NA" && par > 0) ? wm / par : "NA")
		}'
}

# mem_mb VARS SQL: run SQL once serially in a fresh session and print the
# backend's peak resident set (VmHWM) and the shared memory it had mapped at
# the end (RssShmem: shared_buffers pages it touched), in MB: "peak shared"
mem_mb() {
	local vars=$1 sql=$2
	{
		echo "$vars"
		echo "$SERIAL"
		echo 'SELECT pg_backend_pid() AS mq_pid \gset'
		echo '\setenv MQ_PID :mq_pid'
		echo '\o /dev/null'
		echo "$sql;"
		echo '\o'
		echo "\\! awk '/^VmHWM/ { h = \$2 } /^RssShmem/ { m = \$2 } END { printf \"MEM %.0f %.0f\\n\", h / 1024, m / 1024 }' /proc/\$MQ_PID/status"
	} | psql -X -q -v ON_ERROR_STOP=1 -d $DB 2>>"$WORK/bench-err.log" | sed -n 's/^MEM //p' | grep . || echo "NA NA"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "–"; else printf "%.2f", a / b }'; }
fmt2() { awk -v a="$1" 'BEGIN { if (a == "NA" || a == "") print "–"; else printf "%.2f", a }'; }
ms() { awk -v a="$1" 'BEGIN { if (a == "NA" || a == "") print "–"; else printf "%.0f", a }'; }
memcol() { [ "$1" = NA ] && echo "–" || echo "$1 ($2)"; }

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MEM=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
PGV=$(psql -X -tA -d $DB -c "SELECT current_setting('server_version')")
PGISV=$(psql -X -tA -d $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
REPORT=$WORK/bench-$STAMP.md
{
	echo "## make bench, $STAMP"
	echo
	echo "Machine: $CPU, $(nproc) cores, $MEM RAM; PostgreSQL $PGV, PostGIS $PGISV; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Serial rounds after one warm-up, each running back to back the floor (\`SELECT count(*)\` by a sequential scan: the"
	echo "planner's index-only scan reads a btree, not the rows; it has its own line), the minqing query and the"
	echo "hand-written query; then as many runs with 2 workers. serial ms / 2 workers ms: median wall time; CPU ms: median CPU"
	echo "time (user + system) of the backend (log_statement_stats), which a loaded machine disturbs far less than wall time."
	echo "×count = CPU(minqing) ÷ CPU(count(*)), ×dba = CPU(minqing) ÷ CPU(hand-written query), both medians of per-round"
	echo "ratios; speedup = serial ÷ 2-worker wall time; peak MB = the serial backend's peak resident set (VmHWM) in one"
	echo "extra run in a fresh session, with the part that is shared memory (shared_buffers pages it touched) in brackets."
	echo
} >"$REPORT"

gen_rows=""
size_tables=""
reused_note=""
for size in $SIZES; do
	schema=city_${size}_${SEED}
	runs=$RUNS
	[ -z "$RUNS_SET" ] && [ "$size" -gt 5000000 ] && runs=3
	have=$(psql -X -tA -d $DB -c "SELECT generator FROM public.bench_city WHERE schema_name = '$schema'")
	if { [ "$have" != "$GENERATOR" ] && [ -z "${MQ_BENCH_REUSE:-}" ]; } || [ -n "${MQ_BENCH_REGENERATE:-}" ] ||
		! psql -X -tA -d $DB -c "SELECT to_regclass('$schema.work_order') IS NOT NULL" | grep -q t; then
		mq_log "generating a city of $size orders, seed $SEED (schema $schema; kept in $DATA for later runs)"
		psql -X -q -d $DB -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $schema CASCADE" \
			-c "DELETE FROM public.bench_city WHERE schema_name = '$schema'" >/dev/null
		t0=$(date +%s.%N)
		psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SELECT minqing.generate_city('$schema', $size, $SEED)" >/dev/null || die "generate_city failed"
		t1=$(date +%s.%N)
		psql -X -q -d $DB -c "VACUUM (ANALYZE) $schema.work_order" || die "vacuum failed"
		psql -X -q -d $DB -c "INSERT INTO public.bench_city VALUES ('$schema', $size, $SEED, '$GENERATOR', $t1 - $t0, now())" || die "cannot record the city"
		raw=NA
		[ "$size" -le 5000000 ] &&
			raw=$(RUNS=1 median_ms serial "" "SELECT count(*) FROM generate_series(0, ($size - 1) / 16384) c, LATERAL minqing.generate_city_orders($size, $SEED, c * 16384, LEAST(16384, $size - c * 16384)) o")
		gen_rows+=$(awk -v n="$size" -v a="$t0" -v b="$t1" -v r="$raw" 'BEGIN {
			printf "| %d | %.1f | %.0f | %s |\n", n, b - a, n / (b - a), (r == "NA" ? "–" : sprintf("%.0f", n / (r / 1000))) }')$'\n'
	else
		mq_log "reusing the city of $size orders, seed $SEED (schema $schema, generator $have)"
		[ "$have" != "$GENERATOR" ] && reused_note+="city_${size}_${SEED} was generated by generator sources $have (now $GENERATOR; MQ_BENCH_REUSE=1). "
	fi
	vars="\\set tbl $schema.work_order
\\set units $schema.admin_unit
\\set schema $schema"
	rows=""
	read -r w_s c_m c_f c_d w_p r_f r_d r_p < <(RUNS=$runs paired "$vars" "$FLOOR" "" yes)
	mq_log "count(*) floor (sequential scan): serial $(ms "$w_s") ms (CPU $(ms "$c_m") ms), 2 workers $(ms "$w_p") ms"
	rows+="| \`count(*)\`, sequential scan (floor) | $(ms "$w_s") | $(ms "$c_m") | 1.00 | – | $(ms "$w_p") | $(fmt2 "$r_p") | – |"$'\n'
	read -r w_s c_m c_f c_d w_p r_f r_d r_p < <(RUNS=$runs paired "$vars" "SELECT count(*) FROM :tbl" "" no)
	mq_log "count(*) as planned ($(psql -X -tA -d $DB -c "SET max_parallel_workers_per_gather = 0" -c "EXPLAIN SELECT count(*) FROM $schema.work_order" | grep -m1 -o '[A-Z][A-Za-z ]*Scan\( using [a-z0-9_]*\)\?')): serial $(ms "$w_s") ms (CPU $(ms "$c_m") ms)"
	rows+="| \`count(*)\` as the planner runs it (index-only scan once vacuumed; not the floor) | $(ms "$w_s") | $(ms "$c_m") | $(fmt2 "$r_f") | – | – | – | – |"$'\n'

	for f in "$MQ_ROOT"/bench/cases/*.sql; do
		[ -e "$f" ] || continue
		fname=$(basename "$f" .sql)
		[ "$ONLY" = "  " ] || [[ "$ONLY" == *" $fname "* ]] || continue
		# setup lines, once per city
		while IFS= read -r setup; do
			[ -n "$setup" ] || continue
			mq_log "$fname: setup"
			printf '%s\n%s;\n' "$vars" "$setup" | psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null 2>>"$WORK/bench-err.log" ||
				mq_log "  setup failed: $(tail -3 "$WORK/bench-err.log")"
		done < <(sed -n 's/^-- setup:[ \t]*//p' "$f")
		# parse: bench / max_size / parallel / minqing / dba lines; a case ends at the next bench line
		while IFS=$'\x1f' read -r name maxsize par mq dba; do
			[ -n "$name" ] || continue
			if [ -n "$maxsize" ] && [ "$size" -gt "$maxsize" ]; then continue; fi
			mq_log "$fname: $name ($size)"
			read -r w_s c_m c_f c_d w_p r_f r_d r_p < <(RUNS=$runs paired "$vars" "$mq" "$dba" "$par")
			[ "$w_s" = NA ] && mq_log "  query failed: $(grep -m3 ERROR "$WORK/bench-stats.log" "$WORK/bench-err.log")"
			mem="NA NA"
			[ "${MQ_BENCH_MEMORY:-1}" != 0 ] && [ "$w_s" != NA ] && mem=$(mem_mb "$vars" "$mq")
			rows+="| $name | $(ms "$w_s") | $(ms "$c_m") | $(fmt2 "$r_f") | $(fmt2 "$r_d") | $([ "$par" != no ] && ms "$w_p" || echo –) | $(fmt2 "$r_p") | $(memcol $mem) |"$'\n'
		done < <(awk '
			function flush() { if (name != "") printf "%s\037%s\037%s\037%s\037%s\n", name, maxs, par, mq, dba; name = ""; maxs = ""; par = ""; mq = ""; dba = "" }
			/^-- bench:/    { flush(); sub(/^-- bench:[ \t]*/, ""); name = $0; next }
			/^-- max_size:/ { sub(/^-- max_size:[ \t]*/, ""); maxs = $0; next }
			/^-- parallel:/ { sub(/^-- parallel:[ \t]*/, ""); par = $0; next }
			/^-- minqing:/  { sub(/^-- minqing:[ \t]*/, ""); mq = $0; next }
			/^-- dba:/      { sub(/^-- dba:[ \t]*/, ""); dba = $0; next }
			END { flush() }' "$f")
	done
	size_tables+="### $size orders"$'\n\n'"Load average after: $(cut -d' ' -f1-3 /proc/loadavg); $runs rounds."$'\n\n'
	size_tables+="| query | serial ms | CPU ms | ×count | ×dba | 2 workers ms | speedup | peak MB (shared) |"$'\n'
	size_tables+="|---|---:|---:|---:|---:|---:|---:|---:|"$'\n'"$rows"$'\n'
done

{
	if [ -n "$gen_rows" ]; then
		echo "### Generator (cities generated in this run)"
		echo
		echo "| orders | generate_city s | orders/s (tables, indexes, ANALYZE) | orders/s (C generator alone) |"
		echo "|---:|---:|---:|---:|"
		printf '%s' "$gen_rows"
		echo
	fi
	[ -n "$reused_note" ] && { echo "$reused_note"; echo; }
	printf '%s' "$size_tables"
} >>"$REPORT"
mq_stop_cluster

# Feature scripts with their own data (bench/*.sh, e.g. hotspot.sh, warning.sh)
# run after the main cluster is stopped; MQ_BENCH_EXTRAS=0 skips them.
if [ "${MQ_BENCH_EXTRAS:-1}" != 0 ] && [ "$ONLY" = "  " ]; then
	for x in "$MQ_ROOT"/bench/*.sh; do
		[ -e "$x" ] || continue
		[ "$(basename "$x")" = run.sh ] && continue
		mq_log "extra benchmark: bench/$(basename "$x")"
		{ echo; echo "### bench/$(basename "$x")"; echo; } >>"$REPORT"
		env -u MQ_BENCH_SIZES -u MQ_WORK bash "$x" >>"$REPORT" 2>"$WORK/extra-$(basename "$x" .sh).log" \
			|| { echo "(failed: see $WORK/extra-$(basename "$x" .sh).log)" >>"$REPORT"; mq_log "bench/$(basename "$x") failed"; }
	done
fi
echo
cat "$REPORT"
mq_log "report written to $REPORT (paste it into BENCHMARKS.md)"
