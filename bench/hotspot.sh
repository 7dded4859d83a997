#!/usr/bin/env bash
# bench/hotspot.sh — Gi* and local Moran window functions against the
# ST_DWithin self-join a DBA would write (same answer, time ratio).
#   bash bench/hotspot.sh                 10k and 100k points (~30 neighbours each)
#   MQ_BENCH_SIZES="10000 100000 1000000" bash bench/hotspot.sh
#   MQ_BENCH_JOIN_MAX=100000              largest size at which the self-join runs
# Runs niced in a throwaway cluster (test/lib/cluster.sh); prints a markdown table.
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
SIZES=${MQ_BENCH_SIZES:-"10000 100000"}
JOIN_MAX=${MQ_BENCH_JOIN_MAX:-100000}
WORK=${MQ_WORK:-/tmp/minqing-bench-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
export MQ_PORT=${MQ_PORT:-55493}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM
mq_build_install "$WORK" || exit 1
mq_start_cluster "$WORK" || exit 1
PSQL="nice psql -X -q -At -v ON_ERROR_STOP=1 -d postgres"
$PSQL -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null 2>&1

# milliseconds of one statement
ms() { $PSQL -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }

R=100	# band (m); the square's side makes ~30 neighbours per point
echo "| points | neighbours (mean) | gi_star (ms) | Gi* self-join (ms) | ratio | max abs diff z | local_moran (ms) | Moran self-join (ms) | ratio | max abs diff i | hotspot (ms) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	side=$(awk -v n="$n" -v r=$R 'BEGIN { printf "%.3f", sqrt(n * 3.14159265 * r * r / 30) }')
	$PSQL <<SQL >/dev/null
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_pts, bench_gi, bench_join, bench_lm, bench_lmjoin;
SELECT setseed(0.42);
CREATE TABLE bench_pts AS
SELECT i AS id, round((random() * 20)::numeric, 2)::float8 AS v,
       ST_SetSRID(ST_MakePoint(random() * $side, random() * $side), 3857) AS geom
FROM generate_series(1, $n) i;
CREATE INDEX ON bench_pts USING gist (geom);
VACUUM ANALYZE bench_pts;
SQL
	t_gi=$(ms "CREATE TABLE bench_gi AS SELECT id, minqing.gi_star(v, geom, $R) OVER () AS g FROM bench_pts")
	t_lm=$(ms "CREATE TABLE bench_lm AS SELECT id, (minqing.local_moran(v, geom, $R) OVER ()).i FROM bench_pts")
	t_hs=$(ms "SELECT sum((h).bin) FROM (SELECT minqing.hotspot(v, geom, $R) OVER () AS h FROM bench_pts) s")
	if [ "$n" -le "$JOIN_MAX" ]; then
		t_join=$(ms "CREATE TABLE bench_join AS
			WITH st AS (SELECT avg(v) AS m, sqrt(avg(v * v) - avg(v) ^ 2) AS s, count(*)::float8 AS n FROM bench_pts),
			nb AS (SELECT a.id, count(*)::float8 AS w, sum(b.v) AS sx
			       FROM bench_pts a JOIN bench_pts b ON ST_DWithin(a.geom, b.geom, $R) GROUP BY a.id)
			SELECT id, w, (sx - m * w) / (s * sqrt((n * w - w * w) / (n - 1))) AS g FROM nb, st")
		read -r nbmean diff <<<"$($PSQL -F ' ' -c "SELECT round((avg(w) - 1)::numeric, 1), max(abs(a.g - b.g)) FROM bench_gi a JOIN bench_join b USING (id)")"
		ratio=$(awk -v a="$t_join" -v b="$t_gi" 'BEGIN { printf "%.0f×", a / b }')
		# local Moran's i (GeoDa scale) the DBA way: lag of deviations over a self-join without self
		t_lmjoin=$(ms "CREATE TABLE bench_lmjoin AS
			WITH st AS (SELECT avg(v) AS m, count(*)::float8 AS n FROM bench_pts),
			ss AS (SELECT sum((v - m) ^ 2) AS s2 FROM bench_pts, st),
			nb AS (SELECT a.id, avg(b.v) AS lagx
			       FROM bench_pts a JOIN bench_pts b ON a.id <> b.id AND ST_DWithin(a.geom, b.geom, $R) GROUP BY a.id)
			SELECT a.id, (n - 1) * (a.v - m) * (nb.lagx - m) / s2 AS i FROM bench_pts a JOIN nb USING (id), st, ss")
		lmdiff=$($PSQL -c "SELECT max(abs(a.i - b.i)) FROM bench_lm a JOIN bench_lmjoin b USING (id)")
		lmratio=$(awk -v a="$t_lmjoin" -v b="$t_lm" 'BEGIN { printf "%.0f×", a / b }')
		t_lmjoin=$(printf '%.0f' "$t_lmjoin"); t_join=$(printf '%.0f' "$t_join")
	else
		t_join="—"; ratio="—"; diff="—"; nbmean="~30"; t_lmjoin="—"; lmratio="—"; lmdiff="—"
	fi
	printf '| %s | %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %.0f |\n' "$n" "$nbmean" "$t_gi" \
		"$t_join" "$ratio" "$diff" "$t_lm" "$t_lmjoin" "$lmratio" "$lmdiff" "$t_hs"
done
$PSQL -c "DROP TABLE IF EXISTS bench_pts, bench_gi, bench_join, bench_lm, bench_lmjoin" >/dev/null 2>&1
