#!/usr/bin/env bash
# make demo: build minqing, start a throwaway cluster, generate the synthetic
# city and print a district-level KPI report in the terminal.
#
#   make demo                          1,000,000 orders, seed 42
#   MQ_DEMO_ORDERS=200000 make demo    another size (1 .. 100,000,000)
#   MQ_DEMO_SEED=7 make demo           another seed
#   MQ_DEMO_KEEP=1 make demo           leave the cluster running to explore with psql
#   MQ_DEMO_REPORT=/tmp/r.html make demo  where to write the HTML report (default: in the work directory)
#
# The steps are shell functions run in order at the bottom of this file; a
# later step (e.g. an HTML report) is one more function and one more line.
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"

DEMO_ORDERS=${MQ_DEMO_ORDERS:-1000000}
DEMO_SEED=${MQ_DEMO_SEED:-42}
DEMO_DB=${MQ_DEMO_DB:-minqing_demo}
DEMO_SCHEMA=demo
# its own directory, so a demo never disturbs a `make test` of the same tree
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)-demo}

die() { echo "minqing demo: $*" >&2; exit 1; }
psql_demo() { psql -X -q -v ON_ERROR_STOP=1 -d "$DEMO_DB" "$@"; }

# --- step 0: arguments and a free cluster directory ------------------------------
demo_check() {
	[[ "$DEMO_ORDERS" =~ ^[0-9]+$ ]] && [ "$DEMO_ORDERS" -ge 1 ] && [ "$DEMO_ORDERS" -le 100000000 ] \
		|| die "MQ_DEMO_ORDERS must be a whole number from 1 to 100000000 (got '$DEMO_ORDERS')"
	[[ "$DEMO_SEED" =~ ^-?[0-9]+$ ]] && [ "${#DEMO_SEED}" -le 10 ] \
		|| die "MQ_DEMO_SEED must be an integer (got '$DEMO_SEED')"
	[ -n "${MQ_EXISTING_PGHOST:-}" ] && return 0
	local pidfile=$WORK/cluster/data/postmaster.pid pid
	if [ -f "$pidfile" ]; then
		pid=$(head -1 "$pidfile")
		if [ -n "$pid" ] && ps -p "$pid" >/dev/null 2>&1; then
			die "a cluster is already running in $WORK/cluster (postmaster pid $pid, socket $(sed -n 5p "$pidfile"), port $(sed -n 4p "$pidfile")).
  It is probably an earlier 'MQ_DEMO_KEEP=1 make demo'. Stop it with:
    runuser -u postgres -- $WORK/pgroot/usr/lib/postgresql/$MQ_PGVER/bin/pg_ctl -D $WORK/cluster/data stop
  or run the demo in another directory: MQ_WORK=/tmp/my-demo make demo"
		fi
	fi
	if [ -e "$WORK" ] && [ ! -w "$WORK" ]; then
		die "$WORK exists and is not writable by $(id -un); set MQ_WORK to another directory"
	fi
}

# --- step 1: packages, build, throwaway cluster ----------------------------------
demo_setup() {
	mq_ensure_packages || exit $?
	mkdir -p "$WORK" || die "cannot create $WORK; set MQ_WORK to another directory"
	chmod 755 "$WORK"
	mq_build_install "$WORK" || die "the build failed (see the compiler output above)"
	if ! mq_start_cluster "$WORK"; then
		die "could not start the throwaway cluster in $WORK/cluster (port ${MQ_PORT:-55432} on socket $WORK/cluster/sock).
  If the port or directory is in use, pick others: MQ_PORT=55499 MQ_WORK=/tmp/my-demo make demo"
	fi
	if [ -n "${MQ_EXISTING_PGHOST:-}" ]; then
		psql -X -q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'" | grep -q 1 \
			|| psql -X -q -d postgres -c "CREATE DATABASE $DEMO_DB" || die "cannot create database $DEMO_DB"
		psql_demo -c "CREATE EXTENSION IF NOT EXISTS minqing CASCADE" -c "DROP SCHEMA IF EXISTS $DEMO_SCHEMA CASCADE" \
			|| die "minqing is not installed on $PGHOST; run 'make install' there first"
	else
		psql -X -q -d postgres -c "CREATE DATABASE $DEMO_DB" || die "cannot create database $DEMO_DB"
		psql_demo -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" \
			|| die "CREATE EXTENSION minqing failed"
	fi
}

# --- step 2: the synthetic city ----------------------------------------------------
demo_generate() {
	local t0 t1 n
	mq_log "generating the synthetic city: $DEMO_ORDERS orders, seed $DEMO_SEED (schema $DEMO_SCHEMA)"
	t0=$(date +%s.%N)
	n=$(psql_demo -tAc "SELECT minqing.generate_city('$DEMO_SCHEMA', $DEMO_ORDERS, $DEMO_SEED)") \
		|| die "generate_city failed"
	t1=$(date +%s.%N)
	mq_log "$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d orders in %.1f s (%.0f orders/s, indexes and ANALYZE included)", n, b - a, n / (b - a) }')"
}

# --- step 3: the district KPI table in the terminal ---------------------------------
demo_kpi_table() {
	mq_log "district report"
	echo
	psql_demo -P footer=off -P 'title=明清市 Mingqing — hotline performance by district, 2024–2025 (rates in %, 95% Wilson interval)' <<SQL
SELECT CASE WHEN d.code IS NULL THEN 'City total 全市' ELSE a.name END AS district,
       d.orders,
       round(d.orders / a2.population * 1e4 / 2) AS "per 10k/yr",
       format('%s (%s–%s)', to_char(100 * (d.r).p, 'FM990.0'), to_char(100 * (d.r).lo, 'FM990.0'), to_char(100 * (d.r).hi, 'FM990.0')) AS "responded",
       format('%s (%s–%s)', to_char(100 * (d.s).p, 'FM990.0'), to_char(100 * (d.s).lo, 'FM990.0'), to_char(100 * (d.s).hi, 'FM990.0')) AS "resolved",
       format('%s (%s–%s)', to_char(100 * (d.f).p, 'FM990.0'), to_char(100 * (d.f).lo, 'FM990.0'), to_char(100 * (d.f).hi, 'FM990.0')) AS "satisfied",
       round((d.k).score::numeric, 1) AS score,
       CASE WHEN d.code IS NOT NULL THEN rank() OVER (PARTITION BY d.code IS NULL ORDER BY (d.k).score DESC) END AS rank
FROM (SELECT minqing.admin_ancestor(unit_code, 3) AS code, count(*) AS orders,
             minqing.rate(responded) AS r, minqing.rate(resolved) AS s, minqing.rate(satisfied) AS f,
             minqing.kpi(responded, resolved, satisfied) AS k
      FROM $DEMO_SCHEMA.work_order GROUP BY GROUPING SETS ((1), ())) d
LEFT JOIN $DEMO_SCHEMA.admin_unit a ON a.code = d.code
JOIN $DEMO_SCHEMA.admin_unit a2 ON a2.code = COALESCE(d.code, '990100000000')
ORDER BY d.code IS NULL, (d.k).score DESC;
SQL
	echo
	psql_demo -P footer=off -P 'title=The five weakest streets (score = 100 × weighted rates, minqing.kpi_weights)' <<SQL
SELECT a.name AS street, p.name AS district, (k).orders,
       to_char(100 * (k).response_rate, 'FM990.0') AS "responded %",
       to_char(100 * (k).resolution_rate, 'FM990.0') AS "resolved %",
       to_char(100 * (k).satisfaction_rate, 'FM990.0') AS "satisfied %",
       round((k).score::numeric, 1) AS score
FROM (SELECT minqing.admin_ancestor(unit_code, 4) AS code, minqing.kpi(responded, resolved, satisfied) AS k
      FROM $DEMO_SCHEMA.work_order GROUP BY 1) s
JOIN $DEMO_SCHEMA.admin_unit a ON a.code = s.code
JOIN $DEMO_SCHEMA.admin_unit p ON p.code = a.parent_code
ORDER BY (k).score LIMIT 5;
SQL
	echo
	psql_demo -P footer=off -P 'title=What the generator planted (the ground truth in demo.planted)' <<SQL
SELECT kind, label, start_date, end_date, category_code AS category, round(effect::numeric, 2) AS effect,
       cardinality(unit_codes) AS units
FROM $DEMO_SCHEMA.planted ORDER BY id;
SQL
	echo
}

# --- step 4: the HTML report (demo/report.sql: maps and charts drawn in SQL) -------
demo_report() {
	local t0
	DEMO_REPORT=${MQ_DEMO_REPORT:-$WORK/report.html}
	case $DEMO_REPORT in /*) ;; *) DEMO_REPORT=$PWD/$DEMO_REPORT ;; esac
	mq_log "writing the HTML report: street index map, density and hotspots, alarms, policy effect, storm resilience; the surge street's alert sheet beside it"
	t0=$(date +%s)
	MQ_BIN=$MQ_BIN bash "$MQ_ROOT/demo/report.sh" "$DEMO_SCHEMA" "$DEMO_REPORT" "$DEMO_DB" \
		|| die "the report failed (see the psql error above)"
	mq_log "report written in $(( $(date +%s) - t0 )) s"
}

# --- last step: keep the cluster for exploring, or stop it -------------------------
demo_finish() {
	if [ -n "${MQ_DEMO_KEEP:-}" ] && [ -z "${MQ_EXISTING_PGHOST:-}" ]; then
		MQ_CLUSTER_STARTED=		# the EXIT trap leaves it running
		mq_log "cluster left running; explore with:"
		echo "  psql -h $PGHOST -p $PGPORT -U postgres -d $DEMO_DB"
		echo "  stop: runuser -u postgres -- $MQ_BIN/pg_ctl -D $MQ_DATA/data stop"
	else
		mq_log "done; the throwaway cluster is stopped (MQ_DEMO_KEEP=1 keeps it for psql)"
	fi
}

trap 'mq_stop_cluster' EXIT
trap 'echo; mq_log "interrupted; stopping the cluster"; exit 130' INT TERM

demo_check
demo_setup
demo_generate
demo_kpi_table
demo_report
demo_finish
echo "report: $DEMO_REPORT"
sheet=${DEMO_REPORT%.html}_alert_sheet.html
if [ -e "$sheet" ]; then echo "alert sheet of the surge's street: $sheet"; fi
