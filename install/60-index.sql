----------------------------------------------------------------------------
-- Public-sentiment index 民情指数 (SPEC §6): quadrants, labels, the index
-- with shrinkage, rank intervals and drill-down, governance trends and the
-- demand-tier analysis.  Formula and rationale: README, section "index".
----------------------------------------------------------------------------

-- Weights of the index: per profile, per component.  Shipped rows
-- (builtin) are re-created by CREATE EXTENSION and not dumped; your rows are
-- kept by pg_dump and override a shipped row of the same profile and
-- component.  A component missing from a profile takes the 'default' value.
CREATE TABLE minqing.index_weight (
	profile   text NOT NULL DEFAULT 'default',
	component text NOT NULL CHECK (component IN ('complaints', 'response', 'resolution', 'satisfaction',
	                                             'repeat', 'tier_1', 'tier_2', 'tier_3', 'tier_4', 'tier_unknown')),
	weight    float8 NOT NULL CHECK (weight >= 0 AND weight < 'Infinity'::float8),
	builtin   boolean NOT NULL DEFAULT false,
	PRIMARY KEY (profile, component, builtin)
);
COMMENT ON TABLE minqing.index_weight IS
	'weights of sentiment_index per profile: component weights of the score and demand-tier weights of complaints; your rows (builtin = false) override shipped ones and are kept by pg_dump';
SELECT pg_catalog.pg_extension_config_dump('minqing.index_weight', 'WHERE NOT builtin');

INSERT INTO minqing.index_weight (profile, component, weight, builtin) VALUES
	('default', 'complaints',   0.30, true),
	('default', 'response',     0.10, true),
	('default', 'resolution',   0.25, true),
	('default', 'satisfaction', 0.25, true),
	('default', 'repeat',       0.10, true),
	('default', 'tier_1',       1.00, true),
	('default', 'tier_2',       0.80, true),
	('default', 'tier_3',       0.60, true),
	('default', 'tier_4',       0.40, true),
	('default', 'tier_unknown', 0.70, true);

-- The effective weights of a profile: your row, else the shipped row, else
-- the 'default' profile's value (your row first there too).
CREATE FUNCTION minqing.index_weights(profile text DEFAULT 'default')
	RETURNS TABLE (component text, weight float8)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT d.c,
	       coalesce((SELECT w.weight FROM minqing.index_weight w
	                 WHERE w.profile = $1 AND w.component = d.c ORDER BY w.builtin LIMIT 1),
	                (SELECT w.weight FROM minqing.index_weight w
	                 WHERE w.profile = 'default' AND w.component = d.c ORDER BY w.builtin LIMIT 1))
	FROM unnest(ARRAY['complaints', 'response', 'resolution', 'satisfaction', 'repeat',
	                  'tier_1', 'tier_2', 'tier_3', 'tier_4', 'tier_unknown']) WITH ORDINALITY AS d(c, o)
	ORDER BY d.o
$$;
COMMENT ON FUNCTION minqing.index_weights(text) IS
	'effective weights of an index profile: your rows in minqing.index_weight override shipped ones; missing components fall back to profile default';

----------------------------------------------------------------------------
-- Quadrants and labels
----------------------------------------------------------------------------
CREATE FUNCTION minqing.quadrant(complaint_rate float8, satisfaction_rate float8,
                                 complaint_ref float8, satisfaction_ref float8) RETURNS text
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF complaint_rate = 'NaN' OR satisfaction_rate = 'NaN' OR complaint_ref = 'NaN' OR satisfaction_ref = 'NaN' THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = 'quadrant arguments must not be NaN',
			HINT = 'Pass finite rates and references, or NULL for unknown.';
	END IF;
	IF complaint_rate <= complaint_ref THEN
		RETURN CASE WHEN satisfaction_rate >= satisfaction_ref THEN 'bright_spot' ELSE 'blockage' END;
	END IF;
	RETURN CASE WHEN satisfaction_rate >= satisfaction_ref THEN 'turning_point' ELSE 'hard_spot' END;
END
$$;
COMMENT ON FUNCTION minqing.quadrant(float8, float8, float8, float8) IS
	'bright_spot 亮点 (complaints <= ref, satisfaction >= ref), hard_spot 难点 (more, less), turning_point 拐点 (more complaints, more satisfied), blockage 堵点 (fewer complaints, less satisfied); NULL in, NULL out';

-- Labels of the codes minqing returns: quadrants, governance trends, demand
-- tiers ('1'..'4'), sectors and categories (from minqing.category).
CREATE FUNCTION minqing.label(code text, lang text) RETURNS text
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE  -- stable: reads minqing.category
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l text := lower(lang);
	r text;
BEGIN
	IF l NOT IN ('zh', 'en') THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('unknown label language "%s"', lang),
			HINT = 'Use ''zh'' (Chinese) or ''en'' (English).';
	END IF;
	SELECT CASE WHEN l = 'zh' THEN v.zh ELSE v.en END INTO r
	FROM (VALUES
		('bright_spot',   '亮点',     'Bright spot'),
		('hard_spot',     '难点',     'Hard spot'),
		('turning_point', '拐点',     'Turning point'),
		('blockage',      '堵点',     'Blockage'),
		('major_cure',    '大治大愈', 'Major effort, major cure'),
		('early_cure',    '大治初愈', 'Major effort, early cure'),
		('persistent',    '久治难愈', 'Persistent despite effort'),
		('minor_cure',    '小治小愈', 'Light effort, kept low'),
		('emerging',      '新发问题', 'Emerging problem'),
		('1',             '基本需求', 'Basic needs'),
		('2',             '基础服务', 'Essential services'),
		('3',             '发展需求', 'Development needs'),
		('4',             '品质生活', 'Quality of life')) AS v(code, zh, en)
	WHERE v.code = label.code;
	IF r IS NULL THEN
		SELECT CASE WHEN l = 'zh' THEN c.name_zh ELSE c.name_en END INTO r
		FROM minqing.category c WHERE c.code = label.code;
	END IF;
	RETURN r;
END
$$;
COMMENT ON FUNCTION minqing.label(text, text) IS
	'zh / en label of a quadrant, governance-trend, demand-tier (1..4), sector or category code; NULL for an unknown code';

----------------------------------------------------------------------------
-- Helpers: normal cdf and deterministic normal draws (src/index.c)
----------------------------------------------------------------------------
CREATE FUNCTION minqing.index_phi(z float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'index_phi'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.index_phi(float8) IS
	'standard normal cdf Φ(z); maps standardised index components onto 0..100';

CREATE FUNCTION minqing.index_draw(seed bigint, key text, rep int, part int) RETURNS float8
	AS 'MODULE_PATHNAME', 'index_draw'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.index_draw(bigint, text, int, int) IS
	'deterministic standard normal draw: a pure function of (seed, key, replicate, component) via SplitMix64 and Φ⁻¹';

-- The grouping key of the index scans: the ancestor at a level, NULL for a
-- malformed code or one coarser than the level (such rows are skipped).
CREATE FUNCTION minqing.index_unit(code text, level int) RETURNS text
	AS 'MODULE_PATHNAME', 'index_unit'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.index_unit(text, int) IS
	'internal: admin_ancestor(code, level), but NULL instead of an error for a malformed code';

-- ereport-style check that a relation has the columns a function reads.
CREATE FUNCTION minqing.index_check_columns(rel regclass, cols text[], what text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	missing text;
	twice text;
BEGIN
	SELECT string_agg(c, ', ' ORDER BY o) INTO missing
	FROM unnest(cols) WITH ORDINALITY AS u(c, o)
	WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
	                  WHERE a.attrelid = rel AND a.attname = u.c AND a.attnum > 0 AND NOT a.attisdropped);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'undefined_column',
			MESSAGE = format('%s relation %s lacks column(s) %s', split_part(what, '+', 1), rel, missing),
			DETAIL = format('It needs the columns %s.', array_to_string(cols, ', ')),
			HINT = CASE what
			       WHEN 'orders+rollup' THEN 'Map your table onto the canonical work-order columns with a view (docs/admin.md, Data model), or pass a rollup relation (day date, unit_code text, state minqing.index_state).'
			       WHEN 'orders' THEN 'Map your table onto the canonical work-order columns with a view (docs/admin.md, Data model).'
			       WHEN 'rollup' THEN 'A rollup relation has the columns day date, unit_code text and state minqing.index_state, one row per day and unit (docs/rollup.md).'
			       WHEN 'units' THEN 'Pass a table with the columns of minqing.admin_unit.'
			       WHEN 'rules' THEN 'Pass a table with the columns of minqing.recurrence_rule (docs/class_cases.md).'
			       ELSE format('Pass a %s relation with the columns listed above.', what) END;
	END IF;
	-- a unit listed twice would be listed twice in every answer: refuse it,
	-- without a scan when a unique index on code (admin_unit's key) says so
	IF what = 'units' AND NOT EXISTS (
		SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = rel AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL
		  AND a.attname = 'code') THEN
		EXECUTE format('SELECT code::text FROM %s WHERE code IS NOT NULL GROUP BY code HAVING count(*) > 1 LIMIT 1', rel)
			INTO twice;
		IF twice IS NOT NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'cardinality_violation',
				MESSAGE = format('units relation %s lists unit %s more than once', rel, twice),
				DETAIL = 'Every answer would list that unit once per row.',
				HINT = 'List each code once (SELECT DISTINCT ON (code) ... in a view), or pass minqing.admin_unit or a table with a primary key on code.';
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION minqing.index_check_columns(regclass, text[], text) IS
	'internal: raise 42703 naming the columns a relation lacks; what (orders, orders+rollup, rollup, units, rules) names the relation''s role in the message and picks the hint; a units relation must list each code once (21000)';

-- What the index and alarm_list read from: 'orders' (the canonical
-- work-order columns `cols`) or 'rollup' (a relation with a column state of
-- type minqing.index_state, one row per day and unit).  Checks the columns.
CREATE FUNCTION minqing.index_input(rel regclass, cols text[]) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st regtype;
	dt regtype;
BEGIN
	SELECT a.atttypid::regtype INTO st FROM pg_attribute a
	WHERE a.attrelid = rel AND a.attname = 'state' AND a.attnum > 0 AND NOT a.attisdropped;
	IF st IS NULL THEN
		PERFORM minqing.index_check_columns(rel, cols, 'orders+rollup');
		RETURN 'orders';
	END IF;
	IF st <> 'minqing.index_state'::regtype THEN
		RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
			MESSAGE = format('column state of rollup relation %s is %s, not minqing.index_state', rel, st),
			DETAIL = 'A relation with a column "state" is read as a rollup of index_state values.',
			HINT = 'Build the rollup with minqing.index_state(category_code, responded, resolved, satisfied, caller_id) per day and unit.';
	END IF;
	PERFORM minqing.index_check_columns(rel, ARRAY['day', 'unit_code', 'state'], 'rollup');
	SELECT a.atttypid::regtype INTO dt FROM pg_attribute a
	WHERE a.attrelid = rel AND a.attname = 'day' AND a.attnum > 0 AND NOT a.attisdropped;
	IF dt <> 'date'::regtype THEN
		RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
			MESSAGE = format('column day of rollup relation %s is %s, not date', rel, dt),
			HINT = 'Store the local day of the orders: created_at::date in the city''s time zone.';
	END IF;
	RETURN 'rollup';
END
$$;
COMMENT ON FUNCTION minqing.index_input(regclass, text[]) IS
	'internal: ''orders'' or ''rollup'' (a relation with day date, unit_code text, state minqing.index_state); raises a clear error for missing or mistyped columns';

-- A rollup holds whole local days: periods read from it must start and end
-- at midnight of the session's TimeZone (the one the days were cut in).
CREATE FUNCTION minqing.index_rollup_days(bounds timestamptz[]) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bad timestamptz;
BEGIN
	SELECT x INTO bad FROM unnest(bounds) x WHERE x <> x::date::timestamptz LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('a rollup relation holds whole days, but %s is not a midnight in time zone %s',
			                 bad, current_setting('TimeZone')),
			HINT = 'Pass periods that start and end at midnight of the time zone the rollup''s days were cut in (SET TimeZone).';
	END IF;
END
$$;
COMMENT ON FUNCTION minqing.index_rollup_days(timestamptz[]) IS
	'internal: raise unless every period bound is a local midnight (rollups hold whole days)';

-- Orders the index or alarm_list leaves out at a level because their unit
-- code is coarser than the level (or missing, or malformed): their scans
-- group them under a NULL unit, and this filter on that group says how many
-- instead of dropping them silently.  Above all for a rollup built at a
-- coarser grain (per district) and read at a finer level: every row would be
-- left out.  Returns false (the group is dropped); PARALLEL SAFE so that a
-- HAVING holding it keeps the aggregation parallel.
CREATE FUNCTION minqing.index_left_out(rel regclass, level int, orders float8, first timestamptz,
                                       stop timestamptz) RETURNS boolean
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the days read, whatever the DateStyle: dates when the bounds are midnights
	f text := to_char(first, CASE WHEN first = first::date::timestamptz THEN 'YYYY-MM-DD' ELSE 'YYYY-MM-DD HH24:MI:SSOF' END);
	t text := to_char(stop, CASE WHEN stop = stop::date::timestamptz THEN 'YYYY-MM-DD' ELSE 'YYYY-MM-DD HH24:MI:SSOF' END);
	one boolean := orders = 1;
	rollup boolean := minqing.index_input(rel, '{}') = 'rollup';
BEGIN
	IF coalesce(orders, 0) <= 0 THEN
		RETURN false;
	END IF;
	RAISE NOTICE USING
		MESSAGE = format('%s %s of %s%s in [%s, %s) %s and %s left out', orders,
		                 CASE WHEN one THEN 'order' ELSE 'orders' END,
		                 CASE WHEN rollup THEN 'rollup relation ' ELSE '' END, rel, f, t,
		                 CASE WHEN rollup THEN format('%s in units above level %s', CASE WHEN one THEN 'is' ELSE 'are' END, level)
		                      ELSE format('%s a unit_code above level %s (or none)', CASE WHEN one THEN 'has' ELSE 'have' END, level) END,
		                 CASE WHEN one THEN 'is' ELSE 'are' END),
		HINT = CASE WHEN rollup
		       THEN 'Read a rollup at the level of its unit codes or above (a per-district rollup at levels 1 to 3), or build it per community (docs/rollup.md, "Choosing the grain").'
		       ELSE 'An order counts at a level only when its unit_code is at that level or finer (docs/admin.md).' END;
	RETURN false;
END
$$;
COMMENT ON FUNCTION minqing.index_left_out(regclass, int, float8, timestamptz, timestamptz) IS
	'internal: raise a NOTICE counting the orders left out at a level (unit code coarser than the level, or none); returns false';

-- The query that builds one index_state per period and unit at a level, in
-- one scan of the orders (or of the rollup: then periods are whole local
-- days): a plain parallel-safe GROUP BY, so parallel workers can share it.
-- Callers embed it in their own query, so the states flow from the
-- aggregate to their readers without being materialised in between.
CREATE FUNCTION minqing.index_states_query(orders regclass, level int, period_starts timestamptz[],
                                           period_ends timestamptz[])
	RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF minqing.index_input(orders, ARRAY['created_at', 'category_code', 'unit_code', 'responded', 'resolved',
	                                     'satisfied', 'caller_id']) = 'orders' THEN
		-- constants, not parameters, so the planner sees the rows it will read
		-- and picks a parallel plan when the table is large; only the rows of
		-- the periods are read (not the months between last year and now)
		RETURN format($q$
			SELECT p.i::int AS period, minqing.index_unit(o.unit_code, %s) AS unit_code,
			       minqing.index_state(o.category_code, o.responded, o.resolved, o.satisfied, o.caller_id) AS state
			FROM %s o
			JOIN unnest(%L::timestamptz[], %L::timestamptz[]) WITH ORDINALITY AS p(s, e, i)
			  ON o.created_at >= p.s AND o.created_at < p.e
			WHERE %s
			GROUP BY 1, 2$q$, level, orders, period_starts, period_ends,
			(SELECT string_agg(format('(o.created_at >= %L::timestamptz AND o.created_at < %L::timestamptz)', x.s, x.e), ' OR ')
			 FROM unnest(period_starts, period_ends) x(s, e)));
	END IF;
	PERFORM minqing.index_rollup_days(period_starts || period_ends);
	RETURN format($q$
		SELECT p.i::int AS period, minqing.index_unit(r.unit_code::text, %s) AS unit_code,
		       minqing.index_state(r.state) AS state
		FROM %s r
		JOIN unnest(%L::date[], %L::date[]) WITH ORDINALITY AS p(s, e, i) ON r.day >= p.s AND r.day < p.e
		WHERE %s
		GROUP BY 1, 2$q$, level, orders,
		ARRAY(SELECT x::date FROM unnest(period_starts) x), ARRAY(SELECT x::date FROM unnest(period_ends) x),
		(SELECT string_agg(format('(r.day >= %L::date AND r.day < %L::date)', x.s::date, x.e::date), ' OR ')
		 FROM unnest(period_starts, period_ends) x(s, e)));
END
$$;
COMMENT ON FUNCTION minqing.index_states_query(regclass, int, timestamptz[], timestamptz[]) IS
	'internal: the SQL of index_states (checks the relation; a rollup needs whole-day periods)';

CREATE FUNCTION minqing.index_states(orders regclass, level int, period_starts timestamptz[],
                                     period_ends timestamptz[])
	RETURNS TABLE (period int, unit_code text, state minqing.index_state)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost seconds
AS $$
BEGIN
	RETURN QUERY EXECUTE minqing.index_states_query(orders, level, period_starts, period_ends);
END
$$;
COMMENT ON FUNCTION minqing.index_states(regclass, int, timestamptz[], timestamptz[]) IS
	'internal: one merged index_state per period [period_starts[i], period_ends[i]) and unit of a level, from orders (one scan) or a daily rollup relation';

----------------------------------------------------------------------------
-- Components: one row per unit of a level, raw counts of a period
----------------------------------------------------------------------------
CREATE TYPE minqing.index_component AS (
	unit_code       text,
	unit_name       text,
	level           int,
	parent_code     text,
	population      float8,
	orders          bigint,
	weighted_orders float8,
	weighted_sq     float8,
	tier1_orders    bigint,
	tier2_orders    bigint,
	tier3_orders    bigint,
	tier4_orders    bigint,
	caller_orders   bigint,
	repeat_orders   bigint,
	responded_n     bigint,
	responded_k     bigint,
	resolved_n      bigint,
	resolved_k      bigint,
	satisfied_n     bigint,
	satisfied_k     bigint);
COMMENT ON TYPE minqing.index_component IS
	'index_components(): per unit the raw counts of a period (orders, tier-weighted orders and the sum of squared weights, per-tier orders, repeat orders, n and k of the three outcomes)';

-- The components of several periods in one scan of the orders (the index
-- needs the current period, the previous one and last year's): the scan
-- builds an index_state per period and unit (index_states); the tier
-- weights and the sector filter apply to its per-category counts.
CREATE FUNCTION minqing.index_components_periods(orders regclass, level int, period_starts timestamptz[],
                                                 period_ends timestamptz[], sector text DEFAULT NULL,
                                                 units regclass DEFAULT 'minqing.admin_unit',
                                                 profile text DEFAULT 'default')
	RETURNS TABLE (period int, comp minqing.index_component)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost seconds, the queries run in milliseconds
AS $$
DECLARE
	w float8[];
	q text;
BEGIN
	q := minqing.index_states_query(orders, level, period_starts, period_ends);
	PERFORM minqing.index_check_columns(units, ARRAY['code', 'name', 'level', 'parent_code', 'population'], 'units');
	SELECT array_agg(x.weight ORDER BY x.component) INTO w
	FROM minqing.index_weights(profile) x WHERE x.component LIKE 'tier%';
	-- w: tier_1, tier_2, tier_3, tier_4, tier_unknown
	RETURN QUERY EXECUTE format($q$
		WITH s AS (%s),
		c AS (
			SELECT s.period, s.unit_code AS code, x.*, cat.tier
			FROM s CROSS JOIN LATERAL minqing.index_state_counts(s.state) x
			LEFT JOIN minqing.category cat ON cat.code = x.category_code
			WHERE (s.unit_code IS NOT NULL
			       OR minqing.index_left_out($6, $1, (SELECT sum(z.orders) FROM minqing.index_state_counts(s.state) z),
			                                 $2[s.period], $3[s.period]))
			  AND ($4::text IS NULL OR cat.sector = $4)),
		a0 AS (
			SELECT c.period, c.code, sum(c.orders)::bigint AS orders,
			       coalesce(sum(c.orders) FILTER (WHERE c.tier = 1), 0) AS t1,
			       coalesce(sum(c.orders) FILTER (WHERE c.tier = 2), 0) AS t2,
			       coalesce(sum(c.orders) FILTER (WHERE c.tier = 3), 0) AS t3,
			       coalesce(sum(c.orders) FILTER (WHERE c.tier = 4), 0) AS t4,
			       coalesce(sum(c.orders) FILTER (WHERE c.tier IS NULL OR c.tier NOT BETWEEN 1 AND 4), 0) AS tu,
			       sum(c.caller_orders) AS callers, sum(c.repeat_orders) AS repeats,
			       sum(c.responded_n) AS rsp_n, sum(c.responded_k) AS rsp_k,
			       sum(c.resolved_n) AS rsl_n, sum(c.resolved_k) AS rsl_k,
			       sum(c.satisfied_n) AS sat_n, sum(c.satisfied_k) AS sat_k
			FROM c GROUP BY 1, 2),
		-- weighted orders from the integer counts per tier: the same bits
		-- whatever order the states were merged in
		a AS (
			SELECT a0.*,
			       a0.t1 * $5[1] + a0.t2 * $5[2] + a0.t3 * $5[3] + a0.t4 * $5[4] + a0.tu * $5[5] AS weighted,
			       a0.t1 * $5[1] ^ 2 + a0.t2 * $5[2] ^ 2 + a0.t3 * $5[3] ^ 2 + a0.t4 * $5[4] ^ 2
			         + a0.tu * $5[5] ^ 2 AS weighted_sq
			FROM a0)
		SELECT p.period::int,
		       ROW(u.code::text, u.name::text, u.level::int, u.parent_code::text, u.population::float8,
		           coalesce(a.orders, 0), coalesce(a.weighted, 0)::float8, coalesce(a.weighted_sq, 0)::float8,
		           coalesce(a.t1, 0)::bigint, coalesce(a.t2, 0)::bigint, coalesce(a.t3, 0)::bigint,
		           coalesce(a.t4, 0)::bigint, coalesce(a.callers, 0)::bigint, coalesce(a.repeats, 0)::bigint,
		           coalesce(a.rsp_n, 0)::bigint, coalesce(a.rsp_k, 0)::bigint,
		           coalesce(a.rsl_n, 0)::bigint, coalesce(a.rsl_k, 0)::bigint,
		           coalesce(a.sat_n, 0)::bigint, coalesce(a.sat_k, 0)::bigint)::minqing.index_component
		FROM %s u CROSS JOIN generate_subscripts($2, 1) AS p(period)
		LEFT JOIN a ON a.code = u.code::text AND a.period = p.period
		WHERE u.level = $1
		ORDER BY p.period, u.code$q$, q, units)
	USING level, period_starts, period_ends, sector, w, orders;
END
$$;
COMMENT ON FUNCTION minqing.index_components_periods(regclass, int, timestamptz[], timestamptz[], text, regclass, text) IS
	'raw per-unit counts of several periods [period_starts[i], period_ends[i]) at a level in one scan of the orders, or from a daily rollup relation';

CREATE FUNCTION minqing.index_components(orders regclass, level int, period_start timestamptz,
                                         period_end timestamptz, sector text DEFAULT NULL,
                                         units regclass DEFAULT 'minqing.admin_unit',
                                         profile text DEFAULT 'default')
	RETURNS SETOF minqing.index_component
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (x.comp).* FROM minqing.index_components_periods($1, $2, ARRAY[$3], ARRAY[$4], $5, $6, $7) x
$$;
COMMENT ON FUNCTION minqing.index_components(regclass, int, timestamptz, timestamptz, text, regclass, text) IS
	'raw per-unit counts of a period at a level (orders mapped with admin_ancestor), the input of sentiment_index';

----------------------------------------------------------------------------
-- The estimator interface: counts in, estimates out.
--   index_eb(unit_code[], k[], n[], model [, k2[]])  global Empirical Bayes
--   index_populated(components)  the one population filter
--   index_z(est, center, scale, component)  the one standardisation
--   index_check_args(...)  the one argument check of the index functions
-- Over the units with n > 0: m = Σk/Σn; s² = Σn(r−m)²/Σn; v = m·q (Poisson;
-- q = Σk2/Σk, the mean weight of a weighted count, 1 without k2) or m(1−m)
-- (binomial); τ² = s² − v/n̄ (n̄ = Σn/N).  est = m + w·(r − m) with
-- w = τ²/(τ² + v/n) (Marshall 1991, = R spdep EBest poisson) for 'poisson'
-- and w = nτ²/(nτ² + v − s²) (Martuzzi & Elliott 1996, = spdep EBest
-- binomial) clamped to [0, 1] for 'binomial'; w = 0 when τ² <= 0 or n = 0.
-- post_sd = √((1 − w)·τ²), the normal-normal posterior sd.
----------------------------------------------------------------------------
CREATE TYPE minqing.index_eb_row AS (
	unit_code text,
	k         float8,
	n         float8,
	raw       float8,
	est       float8,
	post_sd   float8);
COMMENT ON TYPE minqing.index_eb_row IS
	'index_eb(): per unit the count k, the exposure n, the raw rate k/n, the Empirical Bayes estimate and its posterior sd';

CREATE FUNCTION minqing.index_eb(unit_code text[], k float8[], n float8[], model text, k2 float8[] DEFAULT NULL)
	RETURNS SETOF minqing.index_eb_row
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF model IS NULL OR model NOT IN ('poisson', 'binomial') THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('unknown index_eb model "%s"', model),
			HINT = 'Use ''poisson'' for counts per exposure (complaints per resident) or ''binomial'' for shares (k of n).';
	END IF;
	IF unit_code IS NULL OR k IS NULL OR n IS NULL THEN
		RETURN;
	END IF;
	IF cardinality(k) <> cardinality(unit_code) OR cardinality(n) <> cardinality(unit_code)
	   OR (k2 IS NOT NULL AND cardinality(k2) <> cardinality(unit_code)) THEN
		RAISE EXCEPTION USING ERRCODE = 'array_subscript_error',
			MESSAGE = 'index_eb arrays must have one element per unit',
			DETAIL = format('Got %s unit codes, %s k, %s n and %s k2.', cardinality(unit_code), cardinality(k),
			                cardinality(n), coalesce(cardinality(k2)::text, 'no')),
			HINT = 'Aggregate the arrays in one query with the same ORDER BY.';
	END IF;
	RETURN QUERY
	WITH l AS (SELECT * FROM unnest($1, $2, $3, coalesce($5, array_fill(NULL::float8, ARRAY[cardinality($1)])))
	           AS l(u, k, n, k2)),
	g AS (
		SELECT sum(l.k) / sum(l.n) AS m, sum(l.n) AS sn, count(*) AS nu,
		       coalesce(sum(l.k2) / nullif(sum(l.k), 0), 1) AS q
		FROM l WHERE l.n > 0 HAVING count(*) > 0),
	g2 AS (
		SELECT g.m, g.sn / g.nu AS nbar,
		       CASE WHEN $4 = 'poisson' THEN g.m * g.q ELSE g.m * (1 - g.m) END AS v,
		       sum(l.n * (l.k / l.n - g.m) ^ 2) / g.sn AS s2
		FROM g JOIN l ON l.n > 0
		GROUP BY g.m, g.sn, g.nu, g.q),
	g3 AS (SELECT g2.*, g2.s2 - g2.v / g2.nbar AS tau2 FROM g2),
	sh AS (
		SELECT l.*, g3.m, g3.tau2,
		       CASE WHEN g3.tau2 IS NULL OR g3.tau2 <= 0 OR l.n <= 0 THEN 0
		            WHEN $4 = 'poisson' THEN g3.tau2 / (g3.tau2 + g3.v / l.n)
		            WHEN g3.v - g3.s2 <= 0 THEN 1
		            ELSE l.n * g3.tau2 / (l.n * g3.tau2 + g3.v - g3.s2) END AS w
		FROM l LEFT JOIN g3 ON true)
	SELECT sh.u, sh.k, sh.n,
	       CASE WHEN sh.n > 0 THEN sh.k / sh.n END,
	       CASE WHEN sh.n > 0 THEN sh.m + sh.w * (sh.k / sh.n - sh.m) ELSE sh.m END,
	       CASE WHEN sh.m IS NOT NULL THEN sqrt((1 - sh.w) * greatest(sh.tau2, 0)) END
	FROM sh
	ORDER BY sh.u;
END
$$;
COMMENT ON FUNCTION minqing.index_eb(text[], float8[], float8[], text, float8[]) IS
	'global Empirical Bayes estimates of k/n per unit: model poisson (Marshall; k2 = sum of squared weights of weighted counts) or binomial (Martuzzi-Elliott, clamped); raw, estimate and posterior sd';

-- The one population filter: units whose population is positive and finite.
CREATE FUNCTION minqing.index_populated(comps minqing.index_component[])
	RETURNS SETOF minqing.index_component
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM unnest($1) c WHERE c.population > 0 AND c.population < 'Infinity'::float8
$$;
COMMENT ON FUNCTION minqing.index_populated(minqing.index_component[]) IS
	'internal: the components of units with a positive, finite population (the only ones the index scores)';

-- The one standardisation: z = ±(est − center)/scale (fewer complaints and
-- repeats are better), winsorised to [−3, 3]; 0 without a scale.
CREATE FUNCTION minqing.index_z(est float8, center float8, scale float8, component int) RETURNS float8
	AS 'MODULE_PATHNAME', 'index_z'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.index_z(float8, float8, float8, int) IS
	'internal: standardised, signed (components 1 complaints and 5 repeat: lower is better) and winsorised [-3, 3] index component; 0 when the scale is NULL';

-- The one argument check of sentiment_index, governance_trends and
-- demand_tiers.
CREATE FUNCTION minqing.index_check_args(level int, period_start timestamptz, period_end timestamptz,
                                         sector text DEFAULT NULL, profile text DEFAULT 'default')
	RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF level IS NULL OR level NOT BETWEEN 1 AND 6 THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('unknown level %s', coalesce(level::text, 'NULL')),
			DETAIL = 'Levels are 1 province, 2 city, 3 district, 4 street, 5 community, 6 grid.',
			HINT = 'Use a level between 1 and 6.';
	END IF;
	IF period_start IS NULL OR period_end IS NULL OR NOT isfinite(period_start) OR NOT isfinite(period_end)
	   OR period_end <= period_start THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = 'the period must have a positive, finite length',
			DETAIL = format('Got period_start %s and period_end %s.', period_start, period_end),
			HINT = 'period_end is exclusive and must be later than period_start.';
	END IF;
	IF sector IS NOT NULL AND NOT EXISTS (SELECT 1 FROM minqing.category c WHERE c.sector = index_check_args.sector) THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('unknown sector "%s"', sector),
			HINT = format('Sectors are the sector codes of minqing.category: %s.',
			              (SELECT string_agg(DISTINCT c.sector, ', ') FROM minqing.category c));
	END IF;
	IF profile IS NULL OR NOT EXISTS (SELECT 1 FROM minqing.index_weight w WHERE w.profile = index_check_args.profile) THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('unknown index profile "%s"', profile),
			HINT = 'Add its rows to minqing.index_weight, or use profile ''default''.';
	END IF;
END
$$;
COMMENT ON FUNCTION minqing.index_check_args(int, timestamptz, timestamptz, text, text) IS
	'internal: the argument check of the index functions (level 1..5, a positive finite period, a known sector and profile)';

----------------------------------------------------------------------------
-- Estimates: the five components of every unit, shrunk (global EB)
--   component 1 complaints  k = tier-weighted orders, n = population (poisson)
--             2 response    k, n of responded (binomial)
--             3 resolution  k, n of resolved (binomial)
--             4 satisfaction k, n of satisfied (binomial)
--             5 repeat      k = repeat orders, n = orders with a caller_id
----------------------------------------------------------------------------
CREATE TYPE minqing.index_estimate AS (
	unit_code   text,
	component   int,
	k           float8,
	n           float8,
	raw         float8,
	est         float8,
	post_sd     float8);
COMMENT ON TYPE minqing.index_estimate IS
	'index_estimates(): per unit and component (1 complaints per resident, 2 response, 3 resolution, 4 satisfaction, 5 repeat) the raw rate, the EB estimate and its posterior sd';

CREATE FUNCTION minqing.index_estimates(comps minqing.index_component[])
	RETURNS SETOF minqing.index_estimate
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	WITH a AS (
		SELECT array_agg(c.unit_code ORDER BY c.unit_code) AS u,
		       array_agg(c.population ORDER BY c.unit_code) AS pop,
		       array_agg(c.weighted_orders ORDER BY c.unit_code) AS wk,
		       array_agg(c.weighted_sq ORDER BY c.unit_code) AS wsq,
		       array_agg(c.responded_k::float8 ORDER BY c.unit_code) AS rsp_k,
		       array_agg(c.responded_n::float8 ORDER BY c.unit_code) AS rsp_n,
		       array_agg(c.resolved_k::float8 ORDER BY c.unit_code) AS rsl_k,
		       array_agg(c.resolved_n::float8 ORDER BY c.unit_code) AS rsl_n,
		       array_agg(c.satisfied_k::float8 ORDER BY c.unit_code) AS sat_k,
		       array_agg(c.satisfied_n::float8 ORDER BY c.unit_code) AS sat_n,
		       array_agg(c.repeat_orders::float8 ORDER BY c.unit_code) AS rep_k,
		       array_agg(c.caller_orders::float8 ORDER BY c.unit_code) AS rep_n
		FROM minqing.index_populated($1) c),
	e AS (
		SELECT 1 AS component, x.* FROM a, minqing.index_eb(a.u, a.wk, a.pop, 'poisson', a.wsq) x
		UNION ALL SELECT 2, x.* FROM a, minqing.index_eb(a.u, a.rsp_k, a.rsp_n, 'binomial') x
		UNION ALL SELECT 3, x.* FROM a, minqing.index_eb(a.u, a.rsl_k, a.rsl_n, 'binomial') x
		UNION ALL SELECT 4, x.* FROM a, minqing.index_eb(a.u, a.sat_k, a.sat_n, 'binomial') x
		UNION ALL SELECT 5, x.* FROM a, minqing.index_eb(a.u, a.rep_k, a.rep_n, 'binomial') x)
	SELECT e.unit_code, e.component, e.k, e.n, e.raw, e.est, e.post_sd
	FROM e
	ORDER BY e.unit_code, e.component
$$;
COMMENT ON FUNCTION minqing.index_estimates(minqing.index_component[]) IS
	'global Empirical Bayes estimates of the five index components across the units of one level and period (index_eb: Marshall for complaints per resident, beta-binomial method of moments for the rates)';

----------------------------------------------------------------------------
-- The index
----------------------------------------------------------------------------
CREATE TYPE minqing.sentiment_index_row AS (
	unit_code          text,
	unit_name          text,
	level              int,
	parent_code        text,
	population         float8,
	orders             bigint,
	complaints_per_10k float8,
	weighted_per_10k   float8,
	eb_per_10k         float8,
	response_rate      float8,
	resolution_rate    float8,
	satisfaction_rate  float8,
	repeat_rate        float8,
	response_eb        float8,
	resolution_eb      float8,
	satisfaction_eb    float8,
	repeat_eb          float8,
	score              float8,
	rank               int,
	rank_lo            int,
	rank_hi            int,
	units              int,
	score_prev         float8,
	score_change_prev  float8,
	score_yoy          float8,
	score_change_yoy   float8,
	quadrant           text);
COMMENT ON TYPE minqing.sentiment_index_row IS
	'sentiment_index(): one unit — raw and shrunk components, score 0..100 (higher is better), rank with a 90% simulated interval among units of its level, changes versus the previous period and last year, quadrant';

-- The reference of the standardisation, per component: the median of the
-- units' estimates and 1.4826 × their median absolute deviation (a robust
-- sd, so one extreme street does not compress everybody else); the
-- population sd when the MAD is 0 or there are fewer than 5 units (the MAD
-- of 3 districts is too coarse); NULL scale when the estimates are all
-- equal (the component then contributes z = 0 for everybody).
CREATE FUNCTION minqing.index_reference(est minqing.index_estimate[])
	RETURNS TABLE (component int, center float8, scale float8)
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	WITH e AS (SELECT * FROM unnest($1) WHERE est IS NOT NULL),
	m AS (SELECT e.component, percentile_cont(0.5) WITHIN GROUP (ORDER BY e.est) AS center,
	             stddev_pop(e.est) AS sd, count(*) AS nu
	      FROM e GROUP BY e.component),
	d AS (SELECT m.component, m.center, m.sd, m.nu,
	             1.482602218505602 * percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(e.est - m.center)) AS mad
	      FROM m JOIN e ON e.component = m.component GROUP BY m.component, m.center, m.sd, m.nu)
	SELECT d.component, d.center,
	       CASE WHEN d.nu >= 5 AND d.mad > 1e-9 * greatest(abs(d.center), 1e-9) THEN d.mad
	            WHEN d.sd > 1e-9 * greatest(abs(d.center), 1e-9) THEN d.sd END
	FROM d ORDER BY d.component
$$;
COMMENT ON FUNCTION minqing.index_reference(minqing.index_estimate[]) IS
	'internal: robust standardisation reference of the index components (median, 1.4826·MAD, sd fallback)';

-- Scores of one period's estimates, standardised with the reference of the
-- current period: z = ±(est − center)/scale per component (sign: fewer
-- complaints and repeats are better) winsorised to [−3, 3], Z = the
-- weighted mean of the z of the defined components, score = 100·Φ(Z).
CREATE FUNCTION minqing.index_scores(est minqing.index_estimate[], ref minqing.index_estimate[], profile text)
	RETURNS TABLE (unit_code text, score float8)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE  -- stable: reads minqing.index_weight
	SET search_path = pg_catalog, pg_temp
AS $$
	WITH w AS (
		SELECT o.i AS component, x.weight
		FROM minqing.index_weights($3) x
		JOIN unnest(ARRAY['complaints', 'response', 'resolution', 'satisfaction', 'repeat']) WITH ORDINALITY o(c, i)
		  ON o.c = x.component),
	nm AS (SELECT * FROM minqing.index_reference($2))
	SELECT e.unit_code,
	       100 * minqing.index_phi(sum(w.weight * minqing.index_z(e.est, nm.center, nm.scale, e.component))
	                               / nullif(sum(w.weight), 0))
	FROM unnest($1) e
	JOIN nm ON nm.component = e.component
	JOIN w ON w.component = e.component
	WHERE e.est IS NOT NULL AND nm.center IS NOT NULL
	GROUP BY e.unit_code
$$;
COMMENT ON FUNCTION minqing.index_scores(minqing.index_estimate[], minqing.index_estimate[], text) IS
	'internal: index scores (0..100) of estimates standardised against a reference period''s estimates';

-- The sentiment index of every unit of one level (or, with parent_code, of
-- the two levels below that unit).
CREATE FUNCTION minqing.sentiment_index(orders regclass, level int, period_start timestamptz,
                                        period_end timestamptz, sector text DEFAULT NULL,
                                        units regclass DEFAULT 'minqing.admin_unit',
                                        parent_code text DEFAULT NULL, profile text DEFAULT 'default',
                                        seed int DEFAULT 1)
	RETURNS SETOF minqing.sentiment_index_row
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost seconds, the queries run in milliseconds
AS $$
DECLARE
	reps constant int := 200;
	v_orders regclass := orders;
	v_units regclass := units;
	v_sector text := sector;
	v_profile text := profile;
	v_parent text := parent_code;
	v_seed int := seed;
	len interval;
	lv int;
	lv_last int;
	excluded bigint;
	excluded_codes text;
	cur minqing.index_component[];
	prev minqing.index_component[];
	yoy minqing.index_component[];
	e_cur minqing.index_estimate[];
	e_prev minqing.index_estimate[];
	e_yoy minqing.index_estimate[];
	has_orders boolean;
BEGIN
	IF orders IS NULL OR level IS NULL OR period_start IS NULL OR period_end IS NULL OR units IS NULL
	   OR profile IS NULL OR seed IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
			MESSAGE = 'sentiment_index arguments must not be NULL (except sector and parent_code)',
			HINT = 'Pass a relation, a level 1..6 and a finite period.';
	END IF;
	PERFORM minqing.index_check_args(level, period_start, period_end, sector, profile);
	lv := level;
	lv_last := level;
	IF parent_code IS NOT NULL THEN
		IF level <> minqing.admin_level(parent_code) + 1 THEN
			RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
				MESSAGE = format('drill-down level %s is not the level below parent %s', level, parent_code),
				DETAIL = format('The parent is at level %s.', minqing.admin_level(parent_code)),
				HINT = format('Pass level %s: the rows of that level and the next one under the parent are returned.',
				              minqing.admin_level(parent_code) + 1);
		END IF;
		lv_last := least(level + 1, 6);
	END IF;
	len := period_end - period_start;

	FOR lv IN level .. lv_last LOOP
		SELECT coalesce(array_agg(x.comp ORDER BY (x.comp).unit_code) FILTER (WHERE x.period = 1), '{}'),
		       coalesce(array_agg(x.comp ORDER BY (x.comp).unit_code) FILTER (WHERE x.period = 2), '{}'),
		       coalesce(array_agg(x.comp ORDER BY (x.comp).unit_code) FILTER (WHERE x.period = 3), '{}')
		INTO cur, prev, yoy
		FROM minqing.index_components_periods(v_orders, lv,
		         ARRAY[period_start, period_start - len, period_start - interval '1 year'],
		         ARRAY[period_end, period_start, period_end - interval '1 year'],
		         v_sector, v_units, v_profile) x;
		SELECT count(*), string_agg(x.unit_code, ', ') FILTER (WHERE x.o <= 5)
		INTO excluded, excluded_codes
		FROM (SELECT c.unit_code, row_number() OVER (ORDER BY c.unit_code) o
		      FROM unnest(cur) c WHERE c.unit_code NOT IN (SELECT p.unit_code FROM minqing.index_populated(cur) p)) x;
		IF excluded > 0 THEN
			RAISE NOTICE 'sentiment_index: % unit(s) at level % without a positive, finite population are excluded (%)',
				excluded, lv, excluded_codes || CASE WHEN excluded > 5 THEN ', …' ELSE '' END
				USING HINT = 'Fill admin_unit.population; rates per 10,000 residents need it.';
		END IF;
		IF cardinality(cur) = 0 THEN
			RAISE NOTICE 'sentiment_index: no units at level % in %', lv, v_units;
			CONTINUE;
		END IF;
		-- the rank simulation holds units × reps × 5 draws: bounded like every grid
		IF (cardinality(cur) - excluded)::float8 * reps * 5 > current_setting('minqing.max_cells')::float8 THEN
			RAISE EXCEPTION USING ERRCODE = 'program_limit_exceeded',
				MESSAGE = format('sentiment_index at level %s would simulate %s draws, more than minqing.max_cells (%s)',
				                 lv, (cardinality(cur) - excluded)::bigint * reps * 5, current_setting('minqing.max_cells')),
				HINT = 'Raise minqing.max_cells or use a coarser level (ranks are level-wide, also under parent_code).';
		END IF;
		e_cur := ARRAY(SELECT e FROM minqing.index_estimates(cur) e);
		-- no order at all: nothing to score (NULL scores), not a perfect level
		has_orders := coalesce((SELECT sum(c.orders) FROM minqing.index_populated(cur) c) > 0, false);
		IF NOT has_orders THEN
			RAISE NOTICE 'sentiment_index: no orders at level % in the period; scores are NULL', lv;
		END IF;
		-- a comparison period without any order has no score (not a perfect one)
		e_prev := CASE WHEN (SELECT sum(c.orders) FROM minqing.index_populated(prev) c) > 0
		               THEN ARRAY(SELECT e FROM minqing.index_estimates(prev) e) END;
		e_yoy := CASE WHEN (SELECT sum(c.orders) FROM minqing.index_populated(yoy) c) > 0
		              THEN ARRAY(SELECT e FROM minqing.index_estimates(yoy) e) END;

		RETURN QUERY
		WITH c AS (SELECT * FROM minqing.index_populated(cur)),
		e AS (SELECT * FROM unnest(e_cur)),
		w AS (
			SELECT o.i AS component, x.weight
			FROM minqing.index_weights(v_profile) x
			JOIN unnest(ARRAY['complaints', 'response', 'resolution', 'satisfaction', 'repeat']) WITH ORDINALITY o(cc, i)
			  ON o.cc = x.component),
		nm AS (SELECT * FROM minqing.index_reference(e_cur)),
		pt AS (SELECT * FROM minqing.index_scores(e_cur, e_cur, v_profile) WHERE has_orders),
		pr AS (SELECT * FROM minqing.index_scores(e_prev, e_cur, v_profile)),
		yy AS (SELECT * FROM minqing.index_scores(e_yoy, e_cur, v_profile)),
		-- rank simulation: every component drawn from its approximate
		-- posterior N(est, post_sd²), clipped to its range, scored against
		-- the same reference; ranks per replicate
		sim AS (
			SELECT r.rep, e.unit_code,
			       sum(w.weight * minqing.index_z(
			               CASE WHEN e.component = 1
			                    THEN greatest(e.est + e.post_sd * minqing.index_draw(v_seed, e.unit_code, r.rep, e.component), 0)
			                    ELSE greatest(least(e.est + e.post_sd * minqing.index_draw(v_seed, e.unit_code, r.rep, e.component), 1), 0)
			               END, nm.center, nm.scale, e.component)) / nullif(sum(w.weight), 0) AS score
			FROM e JOIN nm ON nm.component = e.component JOIN w ON w.component = e.component
			CROSS JOIN generate_series(1, reps) r(rep)
			WHERE e.est IS NOT NULL AND nm.center IS NOT NULL AND has_orders
			GROUP BY r.rep, e.unit_code),
		sr AS (
			SELECT s.unit_code, rank() OVER (PARTITION BY s.rep ORDER BY s.score DESC) AS rk
			FROM sim s WHERE s.score IS NOT NULL),
		ri AS (
			SELECT sr.unit_code, percentile_disc(0.05) WITHIN GROUP (ORDER BY sr.rk) AS lo,
			       percentile_disc(0.95) WITHIN GROUP (ORDER BY sr.rk) AS hi
			FROM sr GROUP BY sr.unit_code),
		wide AS (
			SELECT c.unit_code, c.unit_name, c.level, c.parent_code, c.population, c.orders,
			       1e4 * c.orders / c.population AS per10k,
			       1e4 * max(e.raw) FILTER (WHERE e.component = 1) AS wper10k,
			       1e4 * max(e.est) FILTER (WHERE e.component = 1) AS ebper10k,
			       max(e.raw) FILTER (WHERE e.component = 2) AS rsp,
			       max(e.raw) FILTER (WHERE e.component = 3) AS rsl,
			       max(e.raw) FILTER (WHERE e.component = 4) AS sat,
			       max(e.raw) FILTER (WHERE e.component = 5) AS rep,
			       max(e.est) FILTER (WHERE e.component = 2) AS rsp_eb,
			       max(e.est) FILTER (WHERE e.component = 3) AS rsl_eb,
			       max(e.est) FILTER (WHERE e.component = 4) AS sat_eb,
			       max(e.est) FILTER (WHERE e.component = 5) AS rep_eb
			FROM c JOIN e ON e.unit_code = c.unit_code
			GROUP BY c.unit_code, c.unit_name, c.level, c.parent_code, c.population, c.orders),
		med AS (
			SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wide.ebper10k) AS mc,
			       percentile_cont(0.5) WITHIN GROUP (ORDER BY wide.sat_eb) AS ms
			FROM wide),
		ranked AS (
			SELECT wide.*, pt.score,
			       (rank() OVER (ORDER BY pt.score DESC NULLS LAST))::int AS rk,
			       (count(pt.score) OVER ())::int AS nunits
			FROM wide LEFT JOIN pt ON pt.unit_code = wide.unit_code)
		SELECT k.unit_code, k.unit_name, k.level, k.parent_code, k.population, k.orders,
		       k.per10k, k.wper10k, k.ebper10k, k.rsp, k.rsl, k.sat, k.rep, k.rsp_eb, k.rsl_eb, k.sat_eb, k.rep_eb,
		       k.score,
		       CASE WHEN k.score IS NOT NULL THEN k.rk END,
		       CASE WHEN k.score IS NOT NULL THEN least(ri.lo::int, k.rk) END,
		       CASE WHEN k.score IS NOT NULL THEN greatest(ri.hi::int, k.rk) END,
		       k.nunits,
		       -- with one unit at the level there is nothing to compare against
		       CASE WHEN k.nunits >= 2 THEN pr.score END, CASE WHEN k.nunits >= 2 THEN k.score - pr.score END,
		       CASE WHEN k.nunits >= 2 THEN yy.score END, CASE WHEN k.nunits >= 2 THEN k.score - yy.score END,
		       minqing.quadrant(k.ebper10k, k.sat_eb, med.mc, med.ms)
		FROM ranked k CROSS JOIN med
		LEFT JOIN ri ON ri.unit_code = k.unit_code
		LEFT JOIN pr ON pr.unit_code = k.unit_code
		LEFT JOIN yy ON yy.unit_code = k.unit_code
		WHERE v_parent IS NULL OR minqing.admin_ancestor(k.unit_code, minqing.admin_level(v_parent)) = v_parent
		ORDER BY k.rk, k.unit_code;
	END LOOP;
END
$$;
COMMENT ON FUNCTION minqing.sentiment_index(regclass, int, timestamptz, timestamptz, text, regclass, text, text, int) IS
	'public-sentiment index 民情指数 of every unit of a level over [period_start, period_end): EB-shrunk components, score 0..100, rank with 90% simulated interval, changes vs previous period and last year, quadrant; parent_code drills two levels down';

----------------------------------------------------------------------------
-- Governance trends across two periods (大治大愈 / 大治初愈 / 久治难愈 /
-- 小治小愈, plus emerging).  "治" (the effort a unit needed) is read from
-- its load before: above the reference (the level's median) it was a
-- problem unit; "愈" (the cure) from the relative change of its rate.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.governance_trend(rate_before float8, rate_after float8, rate_ref float8,
                                         big_drop float8 DEFAULT 0.3, small_drop float8 DEFAULT 0.1)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	change float8;
BEGIN
	IF rate_before = 'NaN' OR rate_after = 'NaN' OR rate_ref = 'NaN' OR rate_before < 0 OR rate_after < 0
	   OR rate_ref < 0 OR rate_before = 'Infinity' OR rate_after = 'Infinity' OR rate_ref = 'Infinity' THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = 'governance_trend rates must be finite and non-negative',
			DETAIL = format('Got rate_before %s, rate_after %s, rate_ref %s.', rate_before, rate_after, rate_ref),
			HINT = 'Pass complaint rates, e.g. eb_per_10k of two sentiment_index periods and their median.';
	END IF;
	IF NOT (small_drop > 0 AND small_drop < big_drop AND big_drop < 1) THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = 'governance_trend needs 0 < small_drop < big_drop < 1',
			DETAIL = format('Got small_drop %s and big_drop %s.', small_drop, big_drop),
			HINT = 'The defaults are small_drop 0.1 (a 10% decline) and big_drop 0.3 (30%).';
	END IF;
	IF rate_before <= rate_ref THEN
		RETURN CASE WHEN rate_after > rate_ref AND rate_after >= rate_before * (1 + small_drop)
		            THEN 'emerging' ELSE 'minor_cure' END;
	END IF;
	change := (rate_after - rate_before) / rate_before;
	RETURN CASE WHEN change <= -big_drop THEN 'major_cure'
	            WHEN change <= -small_drop THEN 'early_cure'
	            ELSE 'persistent' END;
END
$$;
COMMENT ON FUNCTION minqing.governance_trend(float8, float8, float8, float8, float8) IS
	'governance trend of a unit between two periods: before > ref and a drop >= big_drop: major_cure 大治大愈; drop >= small_drop: early_cure 大治初愈; else persistent 久治难愈; before <= ref: emerging 新发问题 when after > ref and a rise >= small_drop, else minor_cure 小治小愈';

CREATE TYPE minqing.governance_trend_row AS (
	unit_code    text,
	unit_name    text,
	orders_before bigint,
	orders_after bigint,
	rate_before  float8,
	rate_after   float8,
	rate_ref     float8,
	change       float8,
	trend        text);
COMMENT ON TYPE minqing.governance_trend_row IS
	'governance_trends(): per unit the EB-shrunk tier-weighted complaints per 10k residents of two periods, the reference (median before), the relative change and the trend code';

CREATE FUNCTION minqing.governance_trends(orders regclass, level int, before_start timestamptz,
                                          before_end timestamptz, after_start timestamptz,
                                          after_end timestamptz, sector text DEFAULT NULL,
                                          units regclass DEFAULT 'minqing.admin_unit',
                                          big_drop float8 DEFAULT 0.3, small_drop float8 DEFAULT 0.1,
                                          ref_quantile float8 DEFAULT 0.5)
	RETURNS SETOF minqing.governance_trend_row
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost seconds, the queries run in milliseconds
AS $$
DECLARE
	b minqing.index_component[];
	a minqing.index_component[];
BEGIN
	PERFORM minqing.index_check_args(level, before_start, before_end, sector);
	PERFORM minqing.index_check_args(level, after_start, after_end, sector);
	IF ref_quantile IS NULL OR NOT (ref_quantile >= 0 AND ref_quantile <= 1) THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('ref_quantile must be between 0 and 1, got %s', ref_quantile),
			HINT = 'Use 0.5 (the median) or e.g. 0.75 to call only the top quarter problem units.';
	END IF;
	b := ARRAY(SELECT c FROM minqing.index_components(orders, level, before_start, before_end, sector, units) c);
	a := ARRAY(SELECT c FROM minqing.index_components(orders, level, after_start, after_end, sector, units) c);
	RETURN QUERY
	WITH eb AS (SELECT * FROM minqing.index_estimates(b) x WHERE x.component = 1),
	ea AS (SELECT * FROM minqing.index_estimates(a) x WHERE x.component = 1),
	r AS (SELECT percentile_cont(ref_quantile) WITHIN GROUP (ORDER BY eb.est) AS ref FROM eb)
	SELECT cb.unit_code, cb.unit_name, cb.orders, ca.orders, 1e4 * eb.est, 1e4 * ea.est, 1e4 * r.ref,
	       CASE WHEN eb.est > 0 THEN (ea.est - eb.est) / eb.est END,
	       minqing.governance_trend(eb.est, ea.est, r.ref, big_drop, small_drop)
	FROM unnest(b) cb
	JOIN unnest(a) ca ON ca.unit_code = cb.unit_code
	JOIN eb ON eb.unit_code = cb.unit_code
	JOIN ea ON ea.unit_code = cb.unit_code
	CROSS JOIN r
	ORDER BY cb.unit_code;
END
$$;
COMMENT ON FUNCTION minqing.governance_trends(regclass, int, timestamptz, timestamptz, timestamptz, timestamptz, text, regclass, float8, float8, float8) IS
	'governance trend of every unit of a level between a before and an after period, from EB-shrunk tier-weighted complaints per 10k residents against a quantile (default the median) of the before period';

----------------------------------------------------------------------------
-- Demand tiers: how much of a unit's demand is basic needs (tier 1), and
-- which units to prioritise
----------------------------------------------------------------------------
CREATE TYPE minqing.demand_tier_row AS (
	unit_code        text,
	unit_name        text,
	population       float8,
	orders           bigint,
	tier1_orders     bigint,
	tier2_orders     bigint,
	tier3_orders     bigint,
	tier4_orders     bigint,
	basic_share      float8,
	basic_share_eb   float8,
	basic_per_10k    float8,
	basic_per_10k_eb float8,
	priority_rank    int);
COMMENT ON TYPE minqing.demand_tier_row IS
	'demand_tiers(): per unit the orders per demand tier, the basic-needs share (raw and EB-shrunk), basic-needs orders per 10k residents (raw and EB) and the priority rank (1 = most urgent)';

CREATE FUNCTION minqing.demand_tiers(orders regclass, level int, period_start timestamptz, period_end timestamptz,
                                     units regclass DEFAULT 'minqing.admin_unit')
	RETURNS SETOF minqing.demand_tier_row
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost seconds, the queries run in milliseconds
AS $$
DECLARE
	c minqing.index_component[];
BEGIN
	PERFORM minqing.index_check_args(level, period_start, period_end);
	c := ARRAY(SELECT x FROM minqing.index_components(orders, level, period_start, period_end, NULL, units) x);
	-- the estimator on two count pairs: tier-1 orders among tiered orders
	-- (binomial share) and tier-1 orders per resident (poisson rate)
	RETURN QUERY
	WITH t AS (SELECT * FROM minqing.index_populated(c)),
	a AS (
		SELECT array_agg(t.unit_code ORDER BY t.unit_code) AS u,
		       array_agg(t.tier1_orders::float8 ORDER BY t.unit_code) AS k,
		       array_agg((t.tier1_orders + t.tier2_orders + t.tier3_orders + t.tier4_orders)::float8
		                 ORDER BY t.unit_code) AS tiered,
		       array_agg(t.population ORDER BY t.unit_code) AS pop
		FROM t),
	share AS (SELECT x.* FROM a, minqing.index_eb(a.u, a.k, a.tiered, 'binomial') x),
	rate AS (SELECT x.* FROM a, minqing.index_eb(a.u, a.k, a.pop, 'poisson') x),
	w AS (
		SELECT t.unit_code, t.unit_name, t.population, t.orders, t.tier1_orders, t.tier2_orders, t.tier3_orders,
		       t.tier4_orders, share.raw AS share, share.est AS share_eb,
		       1e4 * rate.raw AS per10k, 1e4 * rate.est AS per10k_eb
		FROM t JOIN share ON share.unit_code = t.unit_code JOIN rate ON rate.unit_code = t.unit_code)
	SELECT w.unit_code, w.unit_name, w.population, w.orders, w.tier1_orders, w.tier2_orders, w.tier3_orders,
	       w.tier4_orders, w.share, w.share_eb, w.per10k, w.per10k_eb,
	       (rank() OVER (ORDER BY w.share_eb DESC NULLS LAST, w.per10k_eb DESC NULLS LAST))::int
	FROM w
	ORDER BY 13, w.unit_code;
END
$$;
COMMENT ON FUNCTION minqing.demand_tiers(regclass, int, timestamptz, timestamptz, regclass) IS
	'demand-tier analysis per unit of a level: orders per tier, basic-needs (tier 1) share and rate per 10k (raw and Empirical Bayes) and priority rank by the shrunk basic-needs share';
