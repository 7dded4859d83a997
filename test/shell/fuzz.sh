#!/usr/bin/env bash
# Bounded fuzzing: sqlsmith (Debian package sqlsmith) generates random queries
# for MQ_FUZZ_SECONDS (default 60) against a database holding minqing and a
# small city (minqing.generate_city('city', 3000, 7)).  It runs as an ordinary role (as an
# application would), so it cannot call superuser-only functions that stop
# the server on purpose.  Fails on any backend crash in the server log
# ("terminated by signal") and when the server is not up afterwards.
set -u
W=${MQ_WORK:-/tmp}/fuzz; rm -rf "$W"; mkdir -p "$W"; chmod 777 "$W"
DB=mq_fuzz
secs=${MQ_FUZZ_SECONDS:-60}
log=${MQ_WORK:-/tmp}/cluster/server.log
. "$MQ_ROOT/test/lib/tap.sh"

if ! command -v sqlsmith >/dev/null; then
	not_ok "sqlsmith is not installed (MQ_PACKAGES in test/lib/cluster.sh lists it)"; tap_done; exit 1
fi
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" \
	-c "DROP ROLE IF EXISTS mq_fuzzer" -c "CREATE ROLE mq_fuzzer LOGIN" \
	-c "ALTER ROLE mq_fuzzer SET statement_timeout = '2s'" || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" -c "CREATE SCHEMA city" >/dev/null || exit 1
q -c "SET client_min_messages = warning" -c "SELECT minqing.generate_city('city', 3000, 7)" >"$W/city.log" 2>&1
q -c "GRANT USAGE ON SCHEMA city TO mq_fuzzer" -c "GRANT ALL ON ALL TABLES IN SCHEMA city TO mq_fuzzer" >/dev/null
check "fuzz database ready (generate_city('city', 3000, 7))" "$(q -c "SELECT count(*) > 0 FROM city.work_order")" "t"

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
tap_done
