-- Shared fixtures for the pgTAP files, run once per `make test` (committed, so
-- parallel workers can read the tables).  Schema tap:
--   tap.orders        200,000 deterministic rows with the canonical columns (no
--                     randomness: values are hash functions of id) and NULLs
--   tap.explain(q)    EXPLAIN (COSTS OFF) text of a query
--   tap.parallel_check(q)  runs q with forced parallel settings and serially;
--                     returns (partial_aggregate boolean, parallel text, serial
--                     text): the plan shows "Partial [Hash|Group]Aggregate", and both result
--                     sets as sorted text.  Round floating sums in q if their
--                     order could change the last bits.
CREATE SCHEMA tap;

CREATE TABLE tap.orders AS
SELECT id,
       timestamptz '2024-01-01 00:00+00' + ((h1 % 731) || ' days')::interval + ((h2 % 86400) || ' s')::interval AS created_at,
       (ARRAY['water_supply','heating','noise','parking','garbage','ebike_charging','greening','school_enrollment'])[1 + h3 % 8] AS category_code,
       '9901' || lpad((1 + h1 % 6)::text, 2, '0') || lpad((1 + h2 % 5)::text, 3, '0') || lpad((1 + h3 % 7)::text, 3, '0') AS unit_code,
       ST_SetSRID(ST_Point(120.0 + (h1 % 10007) / 50000.0, 30.0 + (h2 % 10009) / 50000.0), 4326) AS geom,
       CASE WHEN h1 % 50 = 0 THEN NULL ELSE h2 % 10 < 9 END AS responded,
       CASE WHEN h2 % 40 = 0 THEN NULL ELSE h3 % 10 < 7 END AS resolved,
       CASE WHEN h3 % 4 = 0 THEN NULL ELSE h1 % 10 < 8 END AS satisfied
FROM (SELECT id,
             abs(hashint8(id)) AS h1,
             abs(hashint8(id * 7919 + 1)) AS h2,
             abs(hashint8(id * 104729 + 2)) AS h3
      FROM generate_series(1::bigint, 200000) id) s;
ANALYZE tap.orders;

CREATE FUNCTION tap.explain(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; o text := '';
BEGIN
	FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP o := o || r || E'\n'; END LOOP;
	RETURN o;
END $$;

CREATE FUNCTION tap.result_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	EXECUTE 'SELECT string_agg(t::text, E''\n'' ORDER BY t::text) FROM (' || q || ') t' INTO r;
	RETURN r;
END $$;

CREATE FUNCTION tap.parallel_check(q text, OUT partial_aggregate boolean, OUT parallel text, OUT serial text)
LANGUAGE plpgsql AS $$
DECLARE
	old_setup text := current_setting('parallel_setup_cost');
	old_tuple text := current_setting('parallel_tuple_cost');
	old_min text := current_setting('min_parallel_table_scan_size');
	old_workers text := current_setting('max_parallel_workers_per_gather');
BEGIN
	PERFORM set_config('parallel_setup_cost', '0', true);
	PERFORM set_config('parallel_tuple_cost', '0', true);
	PERFORM set_config('min_parallel_table_scan_size', '0', true);
	PERFORM set_config('max_parallel_workers_per_gather', '2', true);
	partial_aggregate := tap.explain(q) ~ 'Partial (Hash|Group|Mixed)?Aggregate';
	parallel := tap.result_text(q);
	PERFORM set_config('max_parallel_workers_per_gather', '0', true);
	serial := tap.result_text(q);
	PERFORM set_config('parallel_setup_cost', old_setup, true);
	PERFORM set_config('parallel_tuple_cost', old_tuple, true);
	PERFORM set_config('min_parallel_table_scan_size', old_min, true);
	PERFORM set_config('max_parallel_workers_per_gather', old_workers, true);
END $$;
