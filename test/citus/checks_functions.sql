-- make test-citus: window functions, sentiment_index, alarm_list and rollups
-- over the distributed city equal single-node (included by checks.sql, which
-- defines pg_temp.answer, pg_temp.jdiff and the table tap).
-- A statement is written once with {schema} for the schema (city or single); it
-- returns columns g (a sort key) and r (the value compared).

CREATE FUNCTION pg_temp.same(label text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
	d := pg_temp.jdiff(pg_temp.answer(replace(q, '{schema}', 'city')), pg_temp.answer(replace(q, '{schema}', 'single')));
	RETURN CASE WHEN d IS NULL THEN 'ok' ELSE 'not ok' END
		|| format(' - %s: distributed = single-node%s', label, coalesce(' (' || d || ')', ''));
EXCEPTION WHEN OTHERS THEN
	RETURN format('not ok - %s: %s', label, SQLERRM);
END $$;

-- 2. the window functions with a statement in window_check (inputs.sql)
INSERT INTO tap (line) SELECT pg_temp.same(label, q) FROM window_check;

-- a window function not listed above: called over one category's orders per
-- district in time order, its arguments by name as for aggregates
CREATE FUNCTION pg_temp.check_window(fn regprocedure) RETURNS text LANGUAGE plpgsql AS $$
DECLARE p pg_proc; args text[] := '{}'; e text; i int;
BEGIN
	SELECT * INTO p FROM pg_proc WHERE oid = fn;
	FOR i IN 1 .. p.pronargs LOOP
		SELECT x.expr INTO e FROM arg_expr x WHERE x.name = p.proargnames[i];
		IF e IS NULL THEN
			RETURN format('not ok - window %s: no test input for argument %s (add it to arg_expr or a query to window_check in test/citus/inputs.sql)',
				fn, coalesce(p.proargnames[i], '$' || i));
		END IF;
		args := args || format('(%s)::%s', e, format_type(p.proargtypes[i - 1], NULL));
	END LOOP;
	RETURN pg_temp.same('window ' || fn::text || ' (generic call)',
		format('SELECT w.id AS g, minqing.%I(%s) OVER (PARTITION BY left(w.unit_code, 6) ORDER BY w.created_at, w.id) AS r
		        FROM %{schema}.work_order w WHERE w.category_code = ''noise''', p.proname, array_to_string(args, ', ')));
END $$;
INSERT INTO tap (line)
SELECT pg_temp.check_window(p.oid::regprocedure) FROM pg_proc p
WHERE p.pronamespace = 'minqing'::regnamespace AND p.prokind = 'w'
  AND p.oid NOT IN (SELECT fn FROM window_check)
ORDER BY p.oid::regprocedure::text;

-- 3. the table functions that read a whole relation by name run on the
-- coordinator and issue distributed queries
INSERT INTO tap (line) VALUES
	(pg_temp.same('sentiment_index, districts, 2025H1',
		'SELECT s.unit_code AS g, s AS r FROM minqing.sentiment_index(''{schema}.work_order'', 3, ''2025-01-01'', ''2025-07-01'', NULL, ''{schema}.admin_unit'') s')),
	(pg_temp.same('sentiment_index, streets, 2025-06, one sector',
		'SELECT s.unit_code AS g, s AS r FROM minqing.sentiment_index(''{schema}.work_order'', 4, ''2025-06-01'', ''2025-07-01'', ''urban_management'', ''{schema}.admin_unit'') s')),
	(pg_temp.same('alarm_list (auto), districts, as of 2025-06-30',
		'SELECT a.unit_code || a.category_code AS g, to_jsonb(a) AS r FROM minqing.alarm_list(''{schema}.work_order'', 3, ''2025-06-30'', ''auto'', ''{schema}.admin_unit'') a')),
	(pg_temp.same('alarm_list, streets, as of 2025-06-30',
		'SELECT a.unit_code || a.category_code AS g, to_jsonb(a) AS r FROM minqing.alarm_list(''{schema}.work_order'', 4, ''2025-06-30'', ''C2'', ''{schema}.admin_unit'') a'));

-- 4. sentiment_index and alarm_list over a rollup relation (day, unit_code,
-- state minqing.index_state), when minqing has index_state: the rollup built
-- by pg_temp.rollup (distributed on day in city) against the single-node one
CREATE FUNCTION pg_temp.rollup_checks() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE builder regprocedure; tbl text;
BEGIN
	IF to_regtype('minqing.index_state') IS NULL THEN
		RETURN NEXT '# minqing.index_state does not exist (yet): no rollup-relation checks';
		RETURN;
	END IF;
	SELECT p.oid INTO builder FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'minqing'::regnamespace AND p.prorettype = 'minqing.index_state'::regtype
	  AND NOT ('minqing.index_state'::regtype = ANY (p.proargtypes::oid[]))
	ORDER BY p.pronargs DESC LIMIT 1;
	BEGIN
		tbl := pg_temp.rollup(builder);
	EXCEPTION WHEN OTHERS THEN
		RETURN NEXT format('not ok - a rollup relation of %s: %s', builder, SQLERRM);
		RETURN;
	END;
	RETURN NEXT pg_temp.same('sentiment_index over the rollup ' || tbl || ', districts, 2025H1',
		format('SELECT s.unit_code AS g, s AS r FROM minqing.sentiment_index(''{schema}.%I'', 3, ''2025-01-01'', ''2025-07-01'', NULL, ''{schema}.admin_unit'') s', tbl));
	RETURN NEXT pg_temp.same('alarm_list over the rollup ' || tbl || ', streets, as of 2025-06-30',
		format('SELECT a.unit_code || a.category_code AS g, to_jsonb(a) AS r FROM minqing.alarm_list(''{schema}.%I'', 4, ''2025-06-30'', ''C2'', ''{schema}.admin_unit'') a', tbl));
END $$;
INSERT INTO tap (line) SELECT pg_temp.rollup_checks();
