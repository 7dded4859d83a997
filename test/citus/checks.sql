-- make test-citus, step 2 (TAP, run on the coordinator by test/citus/run.sh
-- after setup.sql): every minqing aggregate, the window functions,
-- sentiment_index, alarm_list and the rollups over the distributed city
-- (city.*) against the same statement over the single-node copy (single.*).
--
-- Aggregates are listed from pg_aggregate, so a new one is checked without
-- editing this file: its call is built from its argument NAMES with
-- arg_expr in inputs.sql (a new argument name needs one row there, or the
-- check fails saying so).  For each aggregate, city-wide and per district:
--   * EXPLAIN VERBOSE shows worker_partial_agg: Citus computes partial states
--     on the shards and combines them on the coordinator (an aggregate Citus
--     cannot split, e.g. one with an `internal` state, is pulled to the
--     coordinator row by row instead, and fails here);
--   * the answer equals the single-node answer (numbers to 1e-9 relative:
--     partial states combine in another order than a serial scan).
\set ON_ERROR_STOP 1
-- (error: Citus warns that pg_temp functions are not propagated to the workers)
SET client_min_messages = error;
SET TimeZone = 'Asia/Shanghai';
SET jit = off;

-- a jsonb difference with a relative tolerance for numbers: NULL when equal
CREATE FUNCTION pg_temp.jdiff(a jsonb, b jsonb, path text DEFAULT '$') RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	k text; i int; d text; x float8; y float8;
BEGIN
	IF a IS NULL AND b IS NULL THEN RETURN NULL; END IF;
	IF a IS NULL OR b IS NULL OR jsonb_typeof(a) <> jsonb_typeof(b) THEN
		RETURN format('%s: %s vs %s', path, coalesce(left(a::text, 200), 'NULL'), coalesce(left(b::text, 200), 'NULL'));
	END IF;
	CASE jsonb_typeof(a)
	WHEN 'number' THEN
		x := a::text::float8; y := b::text::float8;
		IF x = y OR abs(x - y) <= 1e-9 * greatest(abs(x), abs(y)) OR abs(x - y) < 1e-12 THEN RETURN NULL; END IF;
		RETURN format('%s: %s vs %s', path, a, b);
	WHEN 'array' THEN
		IF jsonb_array_length(a) <> jsonb_array_length(b) THEN
			RETURN format('%s: %s vs %s elements', path, jsonb_array_length(a), jsonb_array_length(b));
		END IF;
		FOR i IN 0 .. jsonb_array_length(a) - 1 LOOP
			d := pg_temp.jdiff(a -> i, b -> i, format('%s[%s]', path, i));
			IF d IS NOT NULL THEN RETURN d; END IF;
		END LOOP;
		RETURN NULL;
	WHEN 'object' THEN
		FOR k IN SELECT key FROM jsonb_each(a) UNION SELECT key FROM jsonb_each(b) LOOP
			d := pg_temp.jdiff(a -> k, b -> k, path || '.' || k);
			IF d IS NOT NULL THEN RETURN d; END IF;
		END LOOP;
		RETURN NULL;
	ELSE
		IF a = b THEN RETURN NULL; END IF;
		RETURN format('%s: %s vs %s', path, left(a::text, 200), left(b::text, 200));
	END CASE;
END $$;

-- A result as jsonb.  A value of one of minqing's own base types (a state,
-- a density grid) is compared by what a minqing function reading it returns
-- (grid_cells, index_state_counts, kpi_state_final, terms, ...): its bytes
-- need not be canonical (a state may list its entries in merge order).
CREATE FUNCTION pg_temp.as_jsonb(v anyelement) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	t regtype := pg_typeof(v);
	f regprocedure;
	r jsonb;
BEGIN
	IF EXISTS (SELECT 1 FROM pg_type WHERE oid = t AND typtype = 'b' AND typnamespace = 'minqing'::regnamespace) THEN
		SELECT p.oid INTO f FROM pg_proc p
		WHERE p.pronamespace = 'minqing'::regnamespace AND p.prokind = 'f' AND p.pronargs = 1 AND p.proargtypes[0] = t
		  AND p.prorettype NOT IN (t, 'cstring'::regtype, 'bytea'::regtype)
		ORDER BY p.proretset DESC, p.proname LIMIT 1;
		IF f IS NOT NULL THEN
			EXECUTE format('SELECT jsonb_agg(to_jsonb(c) ORDER BY to_jsonb(c)::text) FROM minqing.%I($1::%s) c',
				(SELECT proname FROM pg_proc WHERE oid = f), t) INTO r USING v;
			RETURN jsonb_build_object(f::text, r);
		END IF;
	END IF;
	RETURN to_jsonb(v);
END $$;

-- The value a query returns (one row, one column), as jsonb: the query runs
-- into a temporary table first, so the conversion runs on the coordinator.
CREATE FUNCTION pg_temp.answer(q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
	DROP TABLE IF EXISTS pg_temp.answer_rows;
	EXECUTE 'CREATE TEMP TABLE answer_rows AS ' || q;
	EXECUTE 'SELECT jsonb_agg(pg_temp.as_jsonb(t.r) ORDER BY t.g) FROM pg_temp.answer_rows t' INTO r;
	RETURN r;
END $$;

CREATE FUNCTION pg_temp.explain(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; o text := '';
BEGIN
	FOR r IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP o := o || r || E'\n'; END LOOP;
	RETURN o;
END $$;

\i inputs.sql

-- A rollup table of states (the hll / tdigest pattern): one row per unit and
-- day with the state a minqing aggregate `builder` returns, in both schemas,
-- city's distributed on day.  Returns its name.
CREATE FUNCTION pg_temp.rollup(builder regprocedure) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	p pg_proc; args text; src text; tbl text;
BEGIN
	SELECT * INTO p FROM pg_proc WHERE oid = builder;
	tbl := 'roll_' || (SELECT typname FROM pg_type WHERE oid = p.prorettype);
	IF to_regclass('single.' || tbl) IS NULL THEN
		SELECT ca.args, ca.src INTO args, src FROM pg_temp.call_args(builder) ca;
		IF args LIKE 'not ok%' OR src <> 'work_order' THEN RAISE EXCEPTION 'cannot build a rollup with %: %', builder, args; END IF;
		EXECUTE format('CREATE TABLE single.%I AS SELECT w.unit_code, (w.created_at AT TIME ZONE ''Asia/Shanghai'')::date AS day,
			minqing.%I(%s) AS state FROM single.work_order w GROUP BY 1, 2', tbl, p.proname, args);
		EXECUTE format('CREATE TABLE city.%I AS SELECT * FROM single.%I', tbl, tbl);
		PERFORM create_distributed_table(format('city.%I', tbl), 'day');
	END IF;
	RETURN tbl;
END $$;

-- The argument list of a call of `fn` (w a work_order row, or a rollup row
-- for an argument whose type is the state another minqing aggregate builds),
-- or a "not ok" line saying what is missing.
CREATE FUNCTION pg_temp.call_args(fn regprocedure, OUT args text, OUT src text) LANGUAGE plpgsql AS $$
DECLARE
	p pg_proc; a text[] := '{}'; e text; i int; builder regprocedure;
BEGIN
	src := 'work_order';
	SELECT * INTO p FROM pg_proc WHERE oid = fn;
	FOR i IN 1 .. p.pronargs LOOP
		SELECT x.expr INTO e FROM arg_expr x WHERE x.name = p.proargnames[i];
		IF e IS NULL THEN
			SELECT bp.oid INTO builder FROM pg_aggregate ba JOIN pg_proc bp ON bp.oid = ba.aggfnoid
			WHERE bp.pronamespace = 'minqing'::regnamespace AND bp.prorettype = p.proargtypes[i - 1] AND bp.oid <> fn
			ORDER BY bp.pronargs, bp.oid LIMIT 1;
			IF builder IS NOT NULL AND src = 'work_order' THEN
				src := pg_temp.rollup(builder);
				e := 'w.state';
			END IF;
		END IF;
		IF e IS NULL THEN
			args := format('not ok - %s: no test input for argument %s (add it to arg_expr in test/citus/inputs.sql)',
				fn, coalesce(p.proargnames[i], '$' || i));
			RETURN;
		END IF;
		a := a || format('(%s)::%s', e, format_type(p.proargtypes[i - 1], NULL));
	END LOOP;
	args := array_to_string(a, ', ');
END $$;

-- The checks of one aggregate, as TAP lines without numbers.
CREATE FUNCTION pg_temp.check_aggregate(agg regprocedure) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	p pg_proc;
	c record;
	cond text;
	label text := agg::text;
	call text;
	dq text; sq text; plan text; d text;
	mode text;
BEGIN
	SELECT * INTO p FROM pg_proc WHERE oid = agg;
	BEGIN
		c := pg_temp.call_args(agg);
	EXCEPTION WHEN OTHERS THEN
		RETURN NEXT format('not ok - %s: building its input failed: %s', label, SQLERRM);
		RETURN;
	END;
	IF c.args LIKE 'not ok%' THEN RETURN NEXT c.args; RETURN; END IF;
	call := format('minqing.%I(%s)', p.proname, c.args);
	SELECT x.cond INTO cond FROM agg_rows x WHERE x.name = p.proname AND c.src = 'work_order';
	FOREACH mode IN ARRAY ARRAY['city-wide', 'per district'] LOOP
		IF mode = 'city-wide' THEN
			dq := format('SELECT 0 AS g, %s AS r FROM {schema}.%I w WHERE %s', call, c.src, coalesce(cond, 'true'));
		ELSE
			dq := format('SELECT left(w.unit_code, 6) AS g, %s AS r FROM {schema}.%I w WHERE %s GROUP BY 1', call, c.src, coalesce(cond, 'true'));
		END IF;
		sq := replace(dq, '{schema}', 'single');
		dq := replace(dq, '{schema}', 'city');
		IF c.src <> 'work_order' THEN mode := mode || ' over the rollup ' || c.src; END IF;
		BEGIN
			plan := pg_temp.explain(dq);
			RETURN NEXT CASE WHEN plan LIKE '%worker_partial_agg%' THEN 'ok' ELSE 'not ok' END
				|| format(' - %s %s: pushed down as worker_partial_agg', label, mode);
			IF plan NOT LIKE '%worker_partial_agg%' THEN
				RETURN NEXT '# ' || replace(left(plan, 1500), E'\n', E'\n# ');
			END IF;
		EXCEPTION WHEN OTHERS THEN
			RETURN NEXT format('not ok - %s %s: EXPLAIN failed: %s', label, mode, SQLERRM);
		END;
		BEGIN
			d := pg_temp.jdiff(pg_temp.answer(dq), pg_temp.answer(sq));
			RETURN NEXT CASE WHEN d IS NULL THEN 'ok' ELSE 'not ok' END
				|| format(' - %s %s: distributed = single-node%s', label, mode, coalesce(' (' || d || ')', ''));
		EXCEPTION WHEN OTHERS THEN
			RETURN NEXT format('not ok - %s %s: %s', label, mode, SQLERRM);
		END;
	END LOOP;
END $$;

CREATE TEMP TABLE tap (n serial, line text);

-- 1. every aggregate in schema minqing
INSERT INTO tap (line)
SELECT c.line FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	CROSS JOIN LATERAL pg_temp.check_aggregate(p.oid::regprocedure) WITH ORDINALITY c(line, k)
WHERE p.pronamespace = 'minqing'::regnamespace
ORDER BY p.oid::regprocedure::text, c.k;
INSERT INTO tap (line)
SELECT CASE WHEN count(*) >= 10 THEN 'ok' ELSE 'not ok' END || format(' - %s minqing aggregates found in pg_aggregate', count(*))
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.pronamespace = 'minqing'::regnamespace;

\i checks_functions.sql

-- number the TAP lines
SELECT CASE WHEN line LIKE '#%' THEN line
            ELSE regexp_replace(line, '^(ok|not ok)', '\1 ' || (SELECT count(*) FROM tap t2 WHERE t2.n <= tap.n AND t2.line NOT LIKE '#%'))
       END
FROM tap ORDER BY n;
SELECT '1..' || count(*) FROM tap WHERE line NOT LIKE '#%';
