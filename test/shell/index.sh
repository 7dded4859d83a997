#!/usr/bin/env bash
# Your rows of minqing.index_weight survive pg_dump / pg_restore (the table
# is an extension configuration table dumped WHERE NOT builtin); the shipped
# rows are re-created by CREATE EXTENSION and not duplicated.  Prints TAP.
set -u
export PGOPTIONS='--client-min-messages=warning'
A=minqing_index_dump_a
B=minqing_index_dump_b
. "$MQ_ROOT/test/lib/tap.sh"
TMP=$(mktemp -d); chmod 777 "$TMP"
cleanup() { qdb postgres -c "DROP DATABASE IF EXISTS $A" -c "DROP DATABASE IF EXISTS $B" >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
PGBIN=${MQ_BIN:-$(dirname "$(command -v psql)")}

qdb postgres -c "DROP DATABASE IF EXISTS $A" -c "DROP DATABASE IF EXISTS $B" -c "CREATE DATABASE $A" -c "CREATE DATABASE $B" >/dev/null
qdb "$A" -c "CREATE EXTENSION minqing CASCADE" -c "INSERT INTO minqing.index_weight (profile, component, weight) VALUES
	('default', 'satisfaction', 0.5), ('resident_first', 'satisfaction', 0.6), ('resident_first', 'repeat', 0.3)" >/dev/null
"$PGBIN/pg_dump" -Fc -d "$A" -f "$TMP/a.dump" 2>"$TMP/dump.err"
ok $? "pg_dump of a database using minqing"
"$PGBIN/pg_restore" -d "$B" "$TMP/a.dump" 2>"$TMP/restore.err"
ok $? "pg_restore into an empty database (no duplicate-key errors)"
[ -s "$TMP/restore.err" ] && sed 's/^/# /' "$TMP/restore.err" | head -5
ok $([ "$(qdb "$B" -c "SELECT string_agg(profile || ':' || component || '=' || weight, ',' ORDER BY profile, component)
          FROM minqing.index_weight WHERE NOT builtin")" = "default:satisfaction=0.5,resident_first:repeat=0.3,resident_first:satisfaction=0.6" ]; echo $?) \
	"your three weight rows came back"
ok $([ "$(qdb "$B" -c "SELECT count(*) FROM minqing.index_weight WHERE builtin")" = 10 ]; echo $?) \
	"the ten shipped rows exist once"
ok $([ "$(qdb "$B" -c "SELECT string_agg(weight::text, ',' ORDER BY component) FROM minqing.index_weights('resident_first')
          WHERE component IN ('complaints', 'repeat', 'satisfaction')")" = "0.3,0.3,0.6" ]; echo $?) \
	"the restored profile resolves (own rows, else default)"
tap_done
