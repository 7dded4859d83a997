#!/usr/bin/env bash
# make bench: time minqing against the physical floor (count(*)) and the SQL a
# DBA would write by hand, serially and with 2 parallel workers, on generated
# cities.  Never part of `make test`; runs under `nice`.
#
#   make bench                              1M-order city
#   MQ_BENCH_FULL=1 make bench              1M and 5M
#   MQ_BENCH_SIZES="200000 1000000" make bench
#   MQ_BENCH_RUNS=7 make bench              timed runs per query (median reported; default 5)
#   MQ_BENCH_CASES="rate kpi" make bench    only these bench/cases/NAME.sql files
#
# Adding a benchmark: a file bench/cases/NAME.sql with, per case, three
# comment lines (each query on ONE line; :tbl is the work_order table,
# :units its admin_unit table, :schema the city's schema):
#   -- bench: short name
#   -- minqing: SELECT minqing.rate(satisfied) FROM :tbl
#   -- dba: SELECT count(*) FILTER (WHERE satisfied), count(satisfied) FROM :tbl
# Optional, after the bench line: "-- max_size: 1000000" (skip bigger cities),
# "-- parallel: no" (skip the 2-worker run, e.g. window functions).  The dba
# line may be omitted when there is no hand-written equivalent.
set -uo pipefail
if [ -z "${MQ_BENCH_NICED:-}" ]; then
	export MQ_BENCH_NICED=1
	exec nice -n 10 bash "$0" "$@"
fi
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"

if [ -n "${MQ_BENCH_SIZES:-}" ]; then SIZES=$MQ_BENCH_SIZES
elif [ -n "${MQ_BENCH_FULL:-}" ]; then SIZES="1000000 5000000"
else SIZES=1000000; fi
RUNS=${MQ_BENCH_RUNS:-5}
ONLY=" ${MQ_BENCH_CASES:-} "
DB=minqing_bench
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)-bench}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

die() { echo "minqing bench: $*" >&2; exit 1; }
for s in $SIZES; do [[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -ge 1000 ] && [ "$s" -le 100000000 ] || die "bad size '$s' (1000 .. 100000000)"; done
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] || die "MQ_BENCH_RUNS must be a positive integer"

trap 'mq_stop_cluster' EXIT
trap 'echo; mq_log "interrupted; stopping the cluster"; exit 130' INT TERM

mq_ensure_packages || exit $?
mkdir -p "$WORK" && chmod 755 "$WORK" || die "cannot use $WORK; set MQ_WORK"
if [ -f "$WORK/cluster/data/postmaster.pid" ] && ps -p "$(head -1 "$WORK/cluster/data/postmaster.pid")" >/dev/null 2>&1; then
	die "a cluster is already running in $WORK/cluster; stop it or set MQ_WORK to another directory"
fi
mq_build_install "$WORK" || die "build failed"
mq_start_cluster "$WORK" || die "could not start the throwaway cluster in $WORK (set MQ_WORK / MQ_PORT)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || die "cannot create $DB"
psql -X -q -d $DB -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" || die "CREATE EXTENSION failed"

SERIAL="SET max_parallel_workers_per_gather = 0;"
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

# paired VARS MQ DBA PAR: $RUNS rounds, each timing back to back count(*), the
# minqing query, the dba query (if any) serially and the minqing query with 2
# workers (PAR != no), so load changes hit all of a round alike.  Prints
# "floor mq dba par mq/floor mq/dba serial/par": medians of the times and
# medians of the per-round ratios (NA where not run or failed).
paired() {
	local vars=$1 mq=$2 dba=$3 par=$4 i k=2
	[ -n "$dba" ] && k=$((k + 1))
	[ "$par" != no ] && k=$((k + 1))
	{
		echo "$vars"
		echo '\o /dev/null'
		echo "$SERIAL"
		echo "SELECT count(*) FROM :tbl;"; echo "$mq;"; [ -n "$dba" ] && echo "$dba;"	# warm-up
		for ((i = 0; i < RUNS; i++)); do
			echo '\timing on'
			echo "SELECT count(*) FROM :tbl;"
			echo "$mq;"
			[ -n "$dba" ] && echo "$dba;"
			if [ "$par" != no ]; then
				echo '\timing off'; echo "$PARALLEL"; echo '\timing on'
				echo "$mq;"
				echo '\timing off'; echo "$SERIAL"
			fi
			echo '\timing off'
		done
	} | psql -X -q -v ON_ERROR_STOP=1 -d $DB 2>"$WORK/bench-err.log" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' |
		awk -v k=$k -v hasdba=$([ -n "$dba" ] && echo 1 || echo 0) -v haspar=$([ "$par" != no ] && echo 1 || echo 0) '
		function med(a, n,    i, j, t) {
			if (n == 0) return "NA"
			for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
			return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		{ t[NR] = $1 }
		END {
			r = int(NR / k)
			for (i = 0; i < r; i++) {
				b = i * k; c = t[b + 1]; m = t[b + 2]; j = 3
				F[i + 1] = c; M[i + 1] = m; RF[i + 1] = m / c
				if (hasdba) { d = t[b + j]; j++; D[i + 1] = d; RD[i + 1] = m / d }
				if (haspar) { p = t[b + j]; P[i + 1] = p; RP[i + 1] = m / p }
			}
			printf "%s %s %s %s %s %s %s\n", med(F, r), med(M, r), (hasdba ? med(D, r) : "NA"), (haspar ? med(P, r) : "NA"),
				med(RF, r), (hasdba ? med(RD, r) : "NA"), (haspar ? med(RP, r) : "NA")
		}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b == 0) print "–"; else printf "%.2f", a / b }'; }
fmt2() { awk -v a="$1" 'BEGIN { if (a == "NA" || a == "") print "–"; else printf "%.2f", a }'; }
ms() { awk -v a="$1" 'BEGIN { if (a == "NA") print "error"; else printf "%.0f", a }'; }

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MEM=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
PGV=$(psql -X -tA -d $DB -c "SELECT current_setting('server_version')")
PGISV=$(psql -X -tA -d $DB -c "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
REPORT=$WORK/bench-$STAMP.md
{
	echo "## make bench, $STAMP"
	echo
	echo "Machine: $CPU, $(nproc) cores, $MEM RAM; PostgreSQL $PGV, PostGIS $PGISV; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "$RUNS rounds after one warm-up; each round times back to back \`SELECT count(*)\`, the minqing query, the hand-written"
	echo "query and the minqing query with 2 workers. Times: medians in ms. Ratios: medians of the per-round ratios —"
	echo "×count = minqing ÷ count(*), ×dba = minqing ÷ hand-written, speedup = serial ÷ 2-worker minqing time."
	echo
} >"$REPORT"

gen_rows=""
case_rows=""
for size in $SIZES; do
	schema=c$size
	mq_log "generating a city of $size orders (schema $schema)"
	t0=$(date +%s.%N)
	psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SELECT minqing.generate_city('$schema', $size, 42)" >/dev/null || die "generate_city failed"
	t1=$(date +%s.%N)
	raw=$(median_ms serial "" "SELECT count(*) FROM generate_series(0, ($size - 1) / 16384) c, LATERAL minqing.generate_city_orders($size, 42, c * 16384, LEAST(16384, $size - c * 16384)) o")
	gen_rows+=$(awk -v n="$size" -v a="$t0" -v b="$t1" -v r="$raw" 'BEGIN {
		printf "| %d | %.1f | %.0f | %.0f |\n", n, b - a, n / (b - a), (r == "NA" ? 0 : n / (r / 1000)) }')$'\n'
	psql -X -q -d $DB -c "VACUUM (ANALYZE) $schema.work_order" || die "vacuum failed"
	vars="\\set tbl $schema.work_order
\\set units $schema.admin_unit
\\set schema $schema"
	read -r f_s m_s d_s p_s r_f r_d r_p < <(paired "$vars" "SELECT count(*) FROM :tbl" "" yes)
	mq_log "count(*) floor: serial $(ms "$m_s") ms, 2 workers $(ms "$p_s") ms"
	case_rows+="| $size | \`count(*)\` (floor) | $(ms "$m_s") | 1.00 | – | – | $(ms "$p_s") | $(fmt2 "$r_p") |"$'\n'

	for f in "$MQ_ROOT"/bench/cases/*.sql; do
		[ -e "$f" ] || continue
		fname=$(basename "$f" .sql)
		[ "$ONLY" = "  " ] || [[ "$ONLY" == *" $fname "* ]] || continue
		# parse: bench / max_size / parallel / minqing / dba lines; a case ends at the next bench line
		while IFS=$'\x1f' read -r name maxsize par mq dba; do
			[ -n "$name" ] || continue
			if [ -n "$maxsize" ] && [ "$size" -gt "$maxsize" ]; then continue; fi
			mq_log "$fname: $name ($size)"
			read -r f_s m_s d_s p_s r_f r_d r_p < <(paired "$vars" "$mq" "$dba" "$par")
			[ "$m_s" = NA ] && mq_log "  query failed: $(tail -3 "$WORK/bench-err.log")"
			case_rows+="| $size | $name | $(ms "$m_s") | $(fmt2 "$r_f") | $([ -n "$dba" ] && ms "$d_s" || echo –) | $(fmt2 "$r_d") | $([ "$par" != no ] && ms "$p_s" || echo –) | $(fmt2 "$r_p") |"$'\n'
		done < <(awk '
			function flush() { if (name != "") printf "%s\037%s\037%s\037%s\037%s\n", name, maxs, par, mq, dba; name = ""; maxs = ""; par = ""; mq = ""; dba = "" }
			/^-- bench:/    { flush(); sub(/^-- bench:[ \t]*/, ""); name = $0; next }
			/^-- max_size:/ { sub(/^-- max_size:[ \t]*/, ""); maxs = $0; next }
			/^-- parallel:/ { sub(/^-- parallel:[ \t]*/, ""); par = $0; next }
			/^-- minqing:/  { sub(/^-- minqing:[ \t]*/, ""); mq = $0; next }
			/^-- dba:/      { sub(/^-- dba:[ \t]*/, ""); dba = $0; next }
			END { flush() }' "$f")
	done
	psql -X -q -d $DB -c "DROP SCHEMA $schema CASCADE" >/dev/null
done

{
	echo "### Generator"
	echo
	echo "| orders | generate_city s | orders/s (tables, indexes, ANALYZE) | orders/s (C generator alone) |"
	echo "|---:|---:|---:|---:|"
	printf '%s' "$gen_rows"
	echo
	echo "### Aggregates"
	echo
	echo "| orders | query | serial ms | ×count | dba ms | ×dba | 2 workers ms | speedup |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|"
	printf '%s' "$case_rows"
} >>"$REPORT"
echo
cat "$REPORT"
mq_log "report written to $REPORT (paste it into BENCHMARKS.md)"
