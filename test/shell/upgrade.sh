#!/usr/bin/env bash
# Extension hygiene and upgrades (hll's setup.sql pattern, pgvector's frozen
# scripts): install the first release 0.0.1, keep user rows in it, ALTER
# EXTENSION UPDATE to the current version, and compare the catalog with a
# fresh install object by object (functions with their definitions,
# aggregates, types, tables, columns, constraints, policies, grants,
# comments, extension membership).  Then the install scripts are checked
# against PostgreSQL's security guidance for extension scripts.
set -u
MQ_ROOT=${MQ_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
W=${MQ_WORK:-/tmp}/upgrade; rm -rf "$W"; mkdir -p "$W"
. "$MQ_ROOT/test/lib/tap.sh"
ver=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$MQ_ROOT/minqing.control")

psql -X -q -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS mq_up_old" -c "DROP DATABASE IF EXISTS mq_up_new" \
	-c "CREATE DATABASE mq_up_old" -c "CREATE DATABASE mq_up_new" || exit 1

# --- 1. the frozen release installs and upgrades --------------------------------
check "CREATE EXTENSION minqing VERSION '0.0.1'" \
	"$(qdb mq_up_old -c "SET client_min_messages = warning" -c "CREATE EXTENSION postgis" -c "CREATE EXTENSION minqing VERSION '0.0.1'" -c "SELECT extversion FROM pg_extension WHERE extname = 'minqing'" 2>&1)" "0.0.1"
qdb mq_up_old -c "INSERT INTO minqing.admin_unit (code, name, level, population) VALUES ('330106000000', '西湖区', 3, 1100000)" \
	-c "INSERT INTO minqing.category (code, parent_code, name_zh, name_en, tier, sector) VALUES ('my_leaf', NULL, '自定义', 'Mine', 2, 'other')" >/dev/null
check "ALTER EXTENSION minqing UPDATE to $ver" \
	"$(qdb mq_up_old -c "SET client_min_messages = warning" -c "ALTER EXTENSION minqing UPDATE" -c "SELECT extversion FROM pg_extension WHERE extname = 'minqing'" 2>&1)" "$ver"
check "user rows survive the upgrade" \
	"$(qdb mq_up_old -c "SELECT (SELECT count(*) FROM minqing.admin_unit WHERE code = '330106000000') + (SELECT count(*) FROM minqing.category WHERE code = 'my_leaf')")" "2"
qdb mq_up_new -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null
# the path through every release (install/released/<version>/), then the current version
path=$( { find "$MQ_ROOT/install/released" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'; echo "$ver"; } | sort -uV | paste -sd- | sed 's/-/--/g')
check "update paths: 0.0.1 -> $ver" \
	"$(qdb mq_up_new -c "SELECT string_agg(source || '>' || target || ':' || path, ' ') FROM pg_extension_update_paths('minqing') WHERE path IS NOT NULL AND source = '0.0.1' AND target = '$ver'")" \
	"0.0.1>$ver:$path"

# --- 2. catalog of the upgraded database == fresh install -----------------------
snapshot() {
	qdb "$1" <<'SQL'
-- extension members, with their comments
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
       || coalesce(' -- ' || obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)), '')
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'minqing'
WHERE d.deptype = 'e'
UNION ALL
-- functions: full definition (body, volatility, strictness, parallel, config)
SELECT 'function ' || p.oid::regprocedure || ' ' || p.prokind::text || ' ' || p.provolatile::text || p.proisstrict::text
       || p.proparallel::text || ' ' || p.prosecdef::text || ' ' || coalesce(p.proconfig::text, '')
       || ' ' || pg_get_function_result(p.oid) || ' ' || pg_get_function_arguments(p.oid)
       || ' ' || CASE WHEN p.prokind IN ('f', 'p', 'w') THEN md5(pg_get_functiondef(p.oid)) ELSE '' END
       || ' ' || coalesce(p.proacl::text, '')
FROM pg_proc p WHERE p.pronamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || a.aggtransfn::regproc || ' ' || a.aggfinalfn::regproc
       || ' ' || a.aggcombinefn::regproc || ' ' || a.aggserialfn::regproc || ' ' || a.aggdeserialfn::regproc
       || ' ' || a.aggtranstype::regtype || ' ' || coalesce(a.agginitval, '-') || ' ' || a.aggfinalextra::text
       || ' ' || a.aggfinalmodify::text || ' ' || a.aggkind::text
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.pronamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text || ' ' || t.typlen || ' ' || t.typalign::text || ' ' || t.typstorage::text
       || ' ' || t.typinput::regproc || ' ' || t.typoutput::regproc || ' ' || t.typreceive::regproc || ' ' || t.typsend::regproc
FROM pg_type t WHERE t.typnamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'column ' || c.oid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
       || coalesce(' -- ' || col_description(c.oid, a.attnum), '')
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
WHERE c.relnamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' ' || c.relrowsecurity::text || c.relforcerowsecurity::text
       || ' ' || coalesce(c.relacl::text, '')
FROM pg_class c WHERE c.relnamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = 'minqing'::regnamespace
UNION ALL
SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' ' || polcmd::text || ' ' || polpermissive::text
       || ' ' || coalesce(pg_get_expr(polqual, polrelid), '') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
FROM pg_policy WHERE polrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'minqing'::regnamespace)
UNION ALL
SELECT 'schema ' || nspname || ' ' || coalesce(nspacl::text, '') || coalesce(' -- ' || obj_description(oid, 'pg_namespace'), '')
FROM pg_namespace WHERE nspname = 'minqing'
UNION ALL
SELECT 'config ' || coalesce((SELECT string_agg(c::regclass::text || ' ' || coalesce(w, ''), ', ' ORDER BY c::regclass::text)
                             FROM unnest(extconfig, extcondition) u(c, w)), '')
FROM pg_extension WHERE extname = 'minqing'
UNION ALL
SELECT 'rows ' || 'category builtin ' || count(*) FROM minqing.category WHERE builtin
ORDER BY 1;
SQL
}
# the upgraded database carries the user rows inserted above: remove them so
# the shipped rows can be compared
qdb mq_up_old -c "DELETE FROM minqing.admin_unit WHERE code = '330106000000'" -c "DELETE FROM minqing.category WHERE code = 'my_leaf'" >/dev/null
snapshot mq_up_old >"$W/upgraded.txt" 2>&1
snapshot mq_up_new >"$W/fresh.txt" 2>&1
check "catalog snapshot taken ($(wc -l <"$W/fresh.txt") lines)" "$([ "$(wc -l <"$W/fresh.txt")" -gt 50 ] && echo yes)" "yes"
check "upgraded catalog equals a fresh install" "$(diff "$W/fresh.txt" "$W/upgraded.txt" | head -40)" ""

# --- 3. security guidance for extension scripts ---------------------------------
# https://www.postgresql.org/docs/current/extend-extensions.html#EXTEND-EXTENSIONS-SECURITY
check "no CREATE OR REPLACE in the install scripts" \
	"$(grep -n -i 'create[[:space:]]\+or[[:space:]]\+replace' "$MQ_ROOT"/install/*.sql | head -5)" ""
check "the install script starts with the \\echo … \\quit guard" \
	"$(head -5 "$MQ_ROOT/install/00-core.sql" | grep -c '^\\echo Use .*\\quit')" "1"
check "the extension is neither relocatable nor trusted" \
	"$(qdb mq_up_new -c "SELECT relocatable::text || ' ' || trusted::text FROM pg_available_extension_versions WHERE name = 'minqing' AND version = '$ver'")" "false false"
check "every SQL / PL/pgSQL function has a pinned search_path (pg_catalog first, pg_temp last)" \
	"$(qdb mq_up_new -c "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	   WHERE p.pronamespace = 'minqing'::regnamespace AND l.lanname NOT IN ('c', 'internal')
	     AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, public, pg_temp']")" ""
check "no SECURITY DEFINER function" \
	"$(qdb mq_up_new -c "SELECT string_agg(oid::regprocedure::text, ', ') FROM pg_proc WHERE pronamespace = 'minqing'::regnamespace AND prosecdef")" ""
check "every function, aggregate, type and table has a COMMENT" \
	"$(qdb mq_up_new -c "SELECT string_agg(x, ', ') FROM (
	     SELECT p.oid::regprocedure::text AS x FROM pg_proc p WHERE p.pronamespace = 'minqing'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
	     UNION ALL SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = 'minqing'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p') AND obj_description(c.oid, 'pg_class') IS NULL
	     UNION ALL SELECT t.oid::regtype::text FROM pg_type t WHERE t.typnamespace = 'minqing'::regnamespace AND t.typtype IN ('b', 'c', 'd', 'e')
	       AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
	       AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND obj_description(t.oid, 'pg_type') IS NULL) s")" ""
check "no object in schema public or pg_catalog belongs to minqing" \
	"$(qdb mq_up_new -c "SELECT string_agg(pg_describe_object(d.classid, d.objid, d.objsubid), ', ') FROM pg_depend d
	   JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'minqing' WHERE d.deptype = 'e'
	     AND pg_describe_object(d.classid, d.objid, d.objsubid) !~ 'minqing\.|schema minqing|policy .* on table minqing\.'")" ""
check "an ordinary role cannot write the configuration tables" \
	"$(qdb mq_up_new -c "SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c WHERE c.relnamespace = 'minqing'::regnamespace AND c.relkind = 'r'
	   AND (has_table_privilege('public', c.oid, 'INSERT') OR has_table_privilege('public', c.oid, 'UPDATE') OR has_table_privilege('public', c.oid, 'DELETE'))" 2>&1)" ""
check "DROP EXTENSION leaves nothing in schema minqing" \
	"$(qdb mq_up_old -c "SET client_min_messages = warning" -c "DROP EXTENSION minqing" -c "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'minqing'::regnamespace) + (SELECT count(*) FROM pg_class WHERE relnamespace = 'minqing'::regnamespace) + (SELECT count(*) FROM pg_type WHERE typnamespace = 'minqing'::regnamespace)")" "0"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS mq_up_old" -c "DROP DATABASE IF EXISTS mq_up_new" >/dev/null 2>&1
tap_done
