#!/usr/bin/env bash
# User rows of the configuration tables survive pg_dump / restore; shipped
# taxonomy rows are re-created by CREATE EXTENSION, not duplicated.
set -u
. "$MQ_ROOT/test/lib/tap.sh"

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS mq_dump_src" -c "DROP DATABASE IF EXISTS mq_dump_dst" -c "CREATE DATABASE mq_dump_src" -c "CREATE DATABASE mq_dump_dst"
qdb mq_dump_src -c "SET client_min_messages = warning; CREATE EXTENSION minqing CASCADE" >/dev/null
qdb mq_dump_src -c "INSERT INTO minqing.admin_unit VALUES
	('330106000000', '西湖区', 3, '330100000000', 1100000, 'SRID=4326;MULTIPOLYGON(((120 30,120.1 30,120.1 30.1,120 30.1,120 30)))'),
	('330106001000', '北山街道', 4, '330106000000', 56000, NULL);
	INSERT INTO minqing.category (code, parent_code, name_zh, name_en, tier, sector) VALUES
	('my_group', NULL, '自定义', 'My group', NULL, 'other'),
	('my_leaf', 'my_group', '自定义子类', 'My leaf', 2, 'other')"
builtin_before=$(qdb mq_dump_src -c "SELECT count(*) FROM minqing.category WHERE builtin")

"$MQ_BIN/pg_dump" -d mq_dump_src -f "$MQ_WORK/dump.sql" 2>"$MQ_WORK/dump.err"
check "pg_dump succeeds" "$?" "0"
psql -X -q -d mq_dump_dst -v ON_ERROR_STOP=1 -f "$MQ_WORK/dump.sql" >"$MQ_WORK/restore.log" 2>&1
check "restore succeeds without errors" "$?" "0"
check "admin_unit user rows restored" "$(qdb mq_dump_dst -c "SELECT string_agg(code || ':' || name || ':' || population, ',' ORDER BY code) FROM minqing.admin_unit")" \
	"330106000000:西湖区:1100000,330106001000:北山街道:56000"
check "admin_unit geometry restored" "$(qdb mq_dump_dst -c "SELECT ST_AsText(geom) FROM minqing.admin_unit WHERE code = '330106000000'")" \
	"MULTIPOLYGON(((120 30,120.1 30,120.1 30.1,120 30.1,120 30)))"
check "user categories restored" "$(qdb mq_dump_dst -c "SELECT string_agg(code || ':' || coalesce(parent_code, '-') || ':' || builtin, ',' ORDER BY code) FROM minqing.category WHERE NOT builtin")" \
	"my_group:-:false,my_leaf:my_group:false"
check "shipped categories present once" "$(qdb mq_dump_dst -c "SELECT count(*) FROM minqing.category WHERE builtin")" "$builtin_before"

psql -X -q -d postgres -c "DROP DATABASE mq_dump_src" -c "DROP DATABASE mq_dump_dst" >/dev/null 2>&1
tap_done
