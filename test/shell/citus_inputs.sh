#!/usr/bin/env bash
# make test-citus builds the call of every minqing aggregate from its argument
# NAMES (test/citus/inputs.sql) and needs a statement or named inputs for
# every window function.  This cheap check runs in make test, so a new
# aggregate or window function whose inputs are missing fails here, before
# CI's Citus step: one TAP line per aggregate and window function.
set -u
db=mq_citus_inputs
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -X -q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null
(cd "$MQ_ROOT/test/citus" && psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
SET client_min_messages = warning;
\i inputs.sql
-- an argument is covered by name, or (rollup mergers) by being the state another minqing aggregate builds
CREATE FUNCTION pg_temp.missing(fn regprocedure, listed boolean) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(coalesce(a.name, '$' || a.k), ', ' ORDER BY a.k)
	FROM pg_proc p, unnest(p.proargtypes::oid[], coalesce(p.proargnames, '{}'::text[])) WITH ORDINALITY a(typ, name, k)
	WHERE p.oid = fn AND NOT listed AND a.k <= p.pronargs
	  AND NOT EXISTS (SELECT 1 FROM arg_expr x WHERE x.name = a.name)
	  AND NOT (p.prokind = 'a' AND EXISTS (
		SELECT 1 FROM pg_aggregate ba JOIN pg_proc bp ON bp.oid = ba.aggfnoid
		WHERE bp.pronamespace = 'minqing'::regnamespace AND bp.prorettype = a.typ AND bp.oid <> fn))
$$;
SELECT CASE WHEN m IS NULL THEN 'ok' ELSE 'not ok' END || ' ' || row_number() OVER (ORDER BY kind, fn::text) || ' - '
       || kind || ' ' || fn::text || CASE WHEN m IS NULL THEN ' has test inputs for make test-citus'
          ELSE format(': no test input for argument %s (add it to arg_expr%s in test/citus/inputs.sql)', m,
                      CASE kind WHEN 'window' THEN ' or a statement to window_check' ELSE '' END) END
FROM (SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window' END AS kind, p.oid::regprocedure AS fn,
             pg_temp.missing(p.oid::regprocedure, p.oid IN (SELECT w.fn FROM window_check w)) AS m
      FROM pg_proc p WHERE p.pronamespace = 'minqing'::regnamespace AND p.prokind IN ('a', 'w')) s
ORDER BY kind, fn::text;
SELECT '1..' || count(*) FROM pg_proc p WHERE p.pronamespace = 'minqing'::regnamespace AND p.prokind IN ('a', 'w');
SQL
) 2>&1
rc=$?
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
exit $rc
