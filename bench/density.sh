#!/usr/bin/env bash
# bench/density.sh — kde() against the floor (count(*)), the ST_SquareGrid +
# join count a DBA would write (with a GiST index), and an SQL quartic-kernel
# sum (ST_DWithin join of cell centres and points, small sizes only).
#   bash bench/density.sh                    100k and 1M points
#   MQ_BENCH_SIZES="100000 1000000 5000000" bash bench/density.sh
#   MQ_BENCH_SQLKDE_MAX=100000               largest size for the SQL kernel sum
# Runs niced in a throwaway cluster (test/lib/cluster.sh); prints a markdown table
# (median of 3 runs after a warm-up).
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
SIZES=${MQ_BENCH_SIZES:-"100000 1000000"}
SQLKDE_MAX=${MQ_BENCH_SQLKDE_MAX:-100000}
WORK=${MQ_WORK:-/tmp/minqing-bench-density-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
export MQ_PORT=${MQ_PORT:-55494}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM
mq_build_install "$WORK" || exit 1
mq_start_cluster "$WORK" || exit 1
PSQL="nice psql -X -q -At -v ON_ERROR_STOP=1 -d postgres"
$PSQL -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null 2>&1

# median of 3 timed runs (after a warm-up) of one statement, in ms; $2 = settings
ms() {
	{ echo "$2"; echo '\o /dev/null'; echo "$1;"; echo '\timing on'; echo "$1;"; echo "$1;"; echo "$1;"; } |
		$PSQL 2>/dev/null | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g | sed -n 2p
}
SER="SET max_parallel_workers_per_gather = 0;"
PAR="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
r() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f", a / b }'; }

echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg); kde(geom, 100 m, 500 m) on lon/lat points over ~35 x 33 km (SRID 4326)."
echo
echo "| points | count(*) | kde serial | ×count | kde 2 workers | ×count(2w) | SquareGrid+join (GiST) | ×kde | SQL kernel sum | ×kde |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	$PSQL -c "DROP TABLE IF EXISTS pts" -c "CREATE TABLE pts AS
		SELECT id, ST_SetSRID(ST_Point(116.2 + 0.4 * ((id * 0.6180339887) % 1) * ((id * 0.381966) % 1),
		                               39.7 + 0.3 * ((id * 0.4142135624) % 1)), 4326) AS geom,
		       now() AS created_at, 'noise'::text AS category_code
		FROM generate_series(1, $n) id" -c "CREATE INDEX ON pts USING gist (geom)" -c "VACUUM ANALYZE pts" >/dev/null
	c_s=$(ms "SELECT count(*) FROM pts" "$SER")
	c_p=$(ms "SELECT count(*) FROM pts" "$PAR")
	k_s=$(ms "SELECT (minqing.grid_info(minqing.kde(geom, 100, 500))).cells FROM pts" "$SER")
	k_p=$(ms "SELECT (minqing.grid_info(minqing.kde(geom, 100, 500))).cells FROM pts" "$PAR")
	# the hand-written grid count: ~0.001-degree cells (≈ 85 x 111 m) joined to the points through the index
	sg=$(ms "SELECT count(*) FROM (SELECT g.i, g.j, count(*) FROM ST_SquareGrid(0.001, ST_SetSRID(ST_MakeEnvelope(116.2, 39.7, 116.6, 40.0), 4326)) g JOIN pts o ON ST_Intersects(o.geom, g.geom) GROUP BY g.i, g.j) s" "$SER")
	sk=""
	if [ "$n" -le "$SQLKDE_MAX" ]; then
		# every point expanded to the 11 x 11 cells around it, kernel summed per cell (UTM 50N meters)
		sk=$(ms "SELECT count(*) FROM (SELECT i, j, sum(3 / (pi() * 500 ^ 2) * (1 - d2 / 500 ^ 2) ^ 2)
			FROM (SELECT floor(x / 100) + di AS i, floor(y / 100) + dj AS j,
			             (x - (floor(x / 100) + di + 0.5) * 100) ^ 2 + (y - (floor(y / 100) + dj + 0.5) * 100) ^ 2 AS d2
			      FROM (SELECT ST_X(u) AS x, ST_Y(u) AS y FROM (SELECT ST_Transform(geom, 32650) AS u FROM pts) t) p,
			           generate_series(-5, 5) di, generate_series(-5, 5) dj) e
			WHERE d2 < 500 ^ 2 GROUP BY i, j) s" "$SER")
	fi
	echo "| $n | ${c_s%.*} | ${k_s%.*} | $(r "$k_s" "$c_s") | ${k_p%.*} | $(r "$k_p" "$c_p") | ${sg%.*} | $(r "$sg" "$k_s") | $([ -n "$sk" ] && echo "${sk%.*}" || echo –) | $(r "$sk" "$k_s") |"
done
