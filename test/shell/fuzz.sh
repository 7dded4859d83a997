#!/usr/bin/env bash
# Bounded fuzzing: sqlsmith (Debian package sqlsmith) generates random queries
# for MQ_FUZZ_SECONDS (default 60) against a database holding minqing and a
# small city (minqing.generate_city when it exists, else a hand-made table
# with the canonical columns).  It runs as an ordinary role (as an
# application would), so it cannot call superuser-only functions that stop
# the server on purpose.  Fails on any backend crash in the server log
# ("terminated by signal") and when the server is not up afterwards.
set -u
W=${MQ_WORK:-/tmp}/fuzz; rm -rf "$W"; mkdir -p "$W"; chmod 777 "$W"
DB=mq_fuzz
secs=${MQ_FUZZ_SECONDS:-60}
log=${MQ_WORK:-/tmp}/cluster/server.log
n=0; fails=0
check() { n=$((n + 1)); if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1 (got '$2', want '$3')"; fails=$((fails + 1)); fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

if ! command -v sqlsmith >/dev/null; then
	echo "not ok 1 - sqlsmith is not installed (MQ_PACKAGES in test/lib/cluster.sh lists it)"; echo "1..1"; exit 1
fi
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" \
	-c "DROP ROLE IF EXISTS mq_fuzzer" -c "CREATE ROLE mq_fuzzer LOGIN" \
	-c "ALTER ROLE mq_fuzzer SET statement_timeout = '2s'" || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" -c "CREATE SCHEMA city" >/dev/null || exit 1
if [ "$(q -c "SELECT count(*) FROM pg_proc WHERE proname = 'generate_city' AND pronamespace = 'minqing'::regnamespace")" != 0 ]; then
	q -c "SET client_min_messages = warning" -c "SELECT minqing.generate_city('city', 3000, 7)" >"$W/city.log" 2>&1
	how="generate_city('city', 3000, 7)"
else
	how="hand-made table"
fi
if [ "$(q -c "SELECT count(*) FROM pg_class WHERE oid = to_regclass('city.work_order')")" = 0 ]; then
	q <<'SQL' >"$W/city.log" 2>&1
CREATE TABLE city.work_order AS
SELECT i::bigint AS id,
       timestamptz '2024-01-01 00:00+00' + (i * 37 % 8760 || ' hours')::interval AS created_at,
       (ARRAY['heating', 'noise', 'parking', 'garbage'])[1 + i % 4] AS category_code,
       '1101050' || lpad((1 + i % 3)::text, 2, '0') || lpad((1 + i % 7)::text, 3, '0') AS unit_code,
       ST_SetSRID(ST_MakePoint(116.30 + (i * 7919 % 1000) / 5000.0, 39.85 + (i * 104729 % 1000) / 5000.0), 4326) AS geom,
       i % 10 <> 0 AS responded, i % 4 <> 0 AS resolved, CASE WHEN i % 9 = 0 THEN NULL ELSE i % 5 <> 0 END AS satisfied,
       timestamptz '2024-01-02 00:00+00' + (i * 37 % 8760 || ' hours')::interval AS closed_at,
       'c' || i % 101 AS caller_id, 'd' || i % 4 AS department, 'phone' AS channel
FROM generate_series(1, 3000) i;
SQL
	how="hand-made table"
fi
q -c "GRANT USAGE ON SCHEMA city TO mq_fuzzer" -c "GRANT ALL ON ALL TABLES IN SCHEMA city TO mq_fuzzer" >/dev/null
check "fuzz database ready ($how)" "$(q -c "SELECT count(*) > 0 FROM city.work_order")" "t"

before=$(stat -c %s "$log" 2>/dev/null || echo 0)
t0=$(date +%s)
timeout -s TERM "$secs" nice sqlsmith --target="host=$PGHOST port=$PGPORT dbname=$DB user=mq_fuzzer" \
	--seed=12345 --exclude-catalog --verbose >"$W/sqlsmith.out" 2>&1
took=$(( $(date +%s) - t0 ))
# progress lines: one character per query ('.' ok, 'e' error, 't' timeout, 'C'/'S' crash)
queries=$(grep -E '^[.eStC]+$' "$W/sqlsmith.out" | tr -d '\n' | wc -c)
okq=$(grep -E '^[.eStC]+$' "$W/sqlsmith.out" | tr -cd '.' | wc -c)
echo "# sqlsmith ran ${took}s: $queries queries, $okq without error; output in $W/sqlsmith.out"
check "sqlsmith ran queries" "$([ "$queries" -gt 50 ] && echo yes)" "yes"
tail -c +"$((before + 1))" "$log" >"$W/server.log.part" 2>/dev/null
check "no backend crash in the server log" "$(grep -c 'terminated by signal' "$W/server.log.part")" "0"
grep -B2 -A3 'terminated by signal' "$W/server.log.part" | head -20 | sed 's/^/#   /'
check "server up after fuzzing" "$(psql -X -q -At -d postgres -c 'SELECT 1' 2>&1)" "1"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS mq_fuzzer" >/dev/null 2>&1
echo "1..$n"
[ "$fails" -eq 0 ]
