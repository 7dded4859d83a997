#!/usr/bin/env bash
# bench/warning.sh — stscan() with 999 replications on 2,000 locations × 365
# days (SPEC §5 performance target: under a minute on the 2-core machine).
# Builds and installs minqing into a private PostgreSQL copy, starts a
# throwaway cluster, generates the data (a 50 × 40 grid of locations 100 m
# apart in UTM 50N, about one case per location-day, a planted 4-day cluster
# of 9 locations), times the scan and stops the cluster.
#   bash bench/warning.sh            (run under nice; it uses one core)
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
WORK=${MQ_WORK:-/tmp/minqing-bench-warning-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
mq_build_install "$WORK" || exit 1
MQ_PORT=${MQ_PORT:-55493} mq_start_cluster "$WORK" || exit 1
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
psql -X -q -v ON_ERROR_STOP=1 -d bench <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION minqing CASCADE;
SELECT setseed(0.42);
CREATE TABLE bench_cases AS
SELECT ST_SetSRID(ST_MakePoint(500000 + 100 * (i % 50), 4400000 + 100 * (i / 50)), 32650) AS geom,
       DATE '2024-01-01' + d AS day,
       floor(random() * 2 + random())::float8
         + CASE WHEN (i % 50) BETWEEN 20 AND 22 AND (i / 50) BETWEEN 10 AND 12 AND d BETWEEN 200 AND 203
                THEN 4 ELSE 0 END AS cases
FROM generate_series(0, 1999) i, generate_series(0, 364) d;
SELECT count(*) AS rows, count(DISTINCT geom) AS locations, count(DISTINCT day) AS days, sum(cases) AS cases
FROM bench_cases;
SQL

# run_timed LABEL SQL: wall time and the backend's CPU time (utime + stime
# from /proc, so the number means something on a loaded machine)
run_timed() {
	local label=$1 sql=$2 pid t0 t1 w0 w1 line
	coproc P { psql -X -q -At -d bench 2>&1; }
	echo "SELECT pg_backend_pid();" >&${P[1]}
	read -r pid <&${P[0]}
	t0=$(awk '{print $14 + $15}' /proc/$pid/stat); w0=$(date +%s.%N)
	echo "$sql;" >&${P[1]}
	echo "SELECT 'done';" >&${P[1]}
	while read -r line <&${P[0]}; do [ "$line" = done ] && break; echo "  $line" | cut -c1-160; done
	t1=$(awk '{print $14 + $15}' /proc/$pid/stat); w1=$(date +%s.%N)
	printf '%-40s wall %6.1f s   backend CPU %6.1f s   (load %s)\n' "$label" \
		"$(echo "$w1 - $w0" | bc -l)" "$(echo "($t1 - $t0) / $(getconf CLK_TCK)" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
	exec {P[1]}>&-
	wait $P_PID 2>/dev/null
}
# retrospective: windows of 1..7 days, zones up to 150 m (3 × 3 locations)
run_timed "stscan 999 replications, retrospective" \
	"SELECT (c).rank, (c).day_start, (c).day_end, (c).observed, round((c).expected::numeric, 2), round((c).llr::numeric, 2), (c).p FROM unnest((SELECT minqing.stscan(geom, day, cases, 150, 7, 999, 1) FROM bench_cases)) c LIMIT 3"
# prospective: only windows ending on the last day
run_timed "stscan 999 replications, prospective" \
	"SELECT (c).rank, (c).day_start, (c).day_end, (c).observed, round((c).expected::numeric, 2), round((c).llr::numeric, 2), (c).p FROM unnest((SELECT minqing.stscan(geom, day, cases, 150, 7, 999, 1, true) FROM bench_cases)) c LIMIT 3"
