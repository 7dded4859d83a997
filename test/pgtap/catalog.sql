-- Catalog hygiene over EVERY object in schema minqing, so it covers functions
-- added later automatically (SPEC §0, STYLE.md "SQL declarations").
BEGIN;
SELECT plan(9);

-- Aggregates: a combine function, a real (non-internal) state, PARALLEL SAFE
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'minqing'::regnamespace AND a.aggcombinefn = 0$$,
	'every aggregate has a COMBINEFUNC');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'minqing'::regnamespace AND a.aggtranstype = 'internal'::regtype$$,
	'no aggregate keeps an internal state (Citus pushdown)');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'minqing'::regnamespace AND p.prokind IN ('a', 'w') AND p.proparallel <> 's'$$,
	'every aggregate and window function is PARALLEL SAFE');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	JOIN pg_proc t ON t.oid = a.aggtransfn
	WHERE p.pronamespace = 'minqing'::regnamespace AND t.proparallel <> 's'$$,
	'every transition function is PARALLEL SAFE');
-- Documentation: every function, type and table carries a COMMENT
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'minqing'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL$$,
	'every function and aggregate has a COMMENT');
SELECT is_empty($$
	SELECT t.oid::regtype::text FROM pg_type t
	WHERE t.typnamespace = 'minqing'::regnamespace AND t.typtype IN ('c', 'b', 'd', 'e')
	  AND t.typelem = 0 AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')
	  AND obj_description(t.oid, 'pg_type') IS NULL$$,
	'every type has a COMMENT');
SELECT is_empty($$
	SELECT c.oid::regclass::text FROM pg_class c
	WHERE c.relnamespace = 'minqing'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
	  AND obj_description(c.oid, 'pg_class') IS NULL$$,
	'every table and view has a COMMENT');
-- Security: SQL and PL/pgSQL bodies run with a pinned search_path starting at pg_catalog
-- (SQL-standard bodies, BEGIN ATOMIC / RETURN, are bound at creation and exempt)
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	WHERE p.pronamespace = 'minqing'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
	  AND p.prosqlbody IS NULL
	  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=pg_catalog,%')$$,
	'every SQL/PL/pgSQL function pins search_path = pg_catalog, …');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'minqing'::regnamespace AND p.prosecdef
	  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
	'no SECURITY DEFINER function without a pinned search_path');

SELECT * FROM finish();
ROLLBACK;
