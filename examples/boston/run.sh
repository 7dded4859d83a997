#!/usr/bin/env bash
# examples/boston/run.sh — the Boston 311 worked example end to end: build,
# start a throwaway cluster (as make demo does; MQ_EXISTING_PGHOST uses an
# existing one with minqing installed), load the 2015 requests, run the
# example queries and write the HTML report of the city.
#   bash examples/boston/run.sh            (data: examples/boston/data, shipped; MQ_BOSTON_DATA=DIR for another copy)
# Output: the query results on stdout, the report path at the end.
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)-boston}
DB=minqing_boston
die() { echo "minqing boston: $*" >&2; exit 1; }
if [ -z "${MQ_EXISTING_PGHOST:-}" ] && [ -f "$WORK/cluster/data/postmaster.pid" ] &&
	ps -p "$(head -1 "$WORK/cluster/data/postmaster.pid")" >/dev/null 2>&1; then
	die "a cluster is already running in $WORK/cluster; stop it or set MQ_WORK to another directory"
fi
mq_ensure_packages || exit $?
mkdir -p "$WORK" && chmod 755 "$WORK" || die "cannot create $WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM
mq_build_install "$WORK" || die "the build failed"
mq_start_cluster "$WORK" || die "could not start a cluster in $WORK"
PATH=$MQ_BIN:$PATH
if [ -z "${MQ_EXISTING_PGHOST:-}" ]; then
	psql -X -q -d postgres -c "CREATE DATABASE $DB" || die "cannot create database $DB"
	psql -X -q -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" || die "CREATE EXTENSION failed"
else
	DB=${PGDATABASE:-postgres}
fi
bash "$MQ_ROOT/examples/boston/load.sh" "$DB" boston || die "loading failed"
# the snowstorms as the "planted" event of the report (its storm panel)
psql -X -q -d "$DB" <<'SQL' || die "cannot create boston.planted"
CREATE TABLE boston.planted (id int, kind text, label text, unit_codes text[], category_code text, start_date date,
	end_date date, effect float8, geom geometry(Geometry, 4326), radius_m float8, details jsonb);
INSERT INTO boston.planted (id, kind, label, start_date, end_date)
VALUES (1, 'storm', 'snowstorms Juno .. 2015-02-15', '2015-01-26', '2015-02-15');
SQL
psql -X -d "$DB" -v schema=boston -f "$MQ_ROOT/examples/boston/queries.sql" || die "the example queries failed"
out=$WORK/boston-report.html
MQ_REPORT_TZ=America/New_York bash "$MQ_ROOT/demo/report.sh" boston "$out" "$DB" || die "the report failed"
mq_log "report: $out"
echo "$out"
