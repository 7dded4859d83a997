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
\timing on
-- retrospective: windows of 1..7 days, zones up to 150 m (3 × 3 locations)
SELECT (unnest(minqing.stscan(geom, day, cases, 150, 7, 999, 1))).* FROM bench_cases LIMIT 3;
-- prospective: only windows ending on the last day
SELECT (unnest(minqing.stscan(geom, day, cases, 150, 7, 999, 1, true))).* FROM bench_cases LIMIT 3;
SQL
