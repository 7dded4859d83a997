----------------------------------------------------------------------------
-- Early warning (SPEC §5): ears() surge alarms, stscan() space-time
-- permutation scan, alarm_list() for the daily alarm table
----------------------------------------------------------------------------
CREATE TYPE minqing.ears_result AS (expected float8, threshold float8, alarm boolean);
COMMENT ON TYPE minqing.ears_result IS
	'ears(): expected = mean of the 7 baseline periods, threshold = upper bound of R surveillance earsC, alarm = cases > threshold';

CREATE FUNCTION minqing.ears(cases float8, method text DEFAULT 'C2') RETURNS minqing.ears_result
	AS 'MODULE_PATHNAME', 'ears' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.ears(float8, text) IS
	'CDC EARS C1/C2/C3 as R surveillance earsC (baseline 7, C2/C3 guard 2, alpha 0.001 for C1/C2 and 0.025 for C3) over OVER (PARTITION BY … ORDER BY day), one row per period (fill gaps with generate_series); NULL until enough history (C1 8th, C2 10th, C3 12th period) and for NULL cases';

CREATE TYPE minqing.stscan_cluster AS (
	rank int, center geometry, radius float8, day_start date, day_end date,
	observed float8, expected float8, llr float8, p float8, locations int);
COMMENT ON TYPE minqing.stscan_cluster IS
	'one space-time cluster of stscan(): rank by LLR, centre location, radius (CRS units; meters for lon/lat), first and last day, observed and expected cases, log-likelihood ratio, Monte Carlo p-value, number of locations';

CREATE FUNCTION minqing.stscan_trans(state bytea, geom geometry, day date, cases float8,
		max_radius float8, max_days int) RETURNS bytea
	AS 'MODULE_PATHNAME', 'stscan_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.stscan_trans(state bytea, geom geometry, day date, cases float8,
		max_radius float8, max_days int, replications int) RETURNS bytea
	AS 'MODULE_PATHNAME', 'stscan_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.stscan_trans(state bytea, geom geometry, day date, cases float8,
		max_radius float8, max_days int, replications int, seed int) RETURNS bytea
	AS 'MODULE_PATHNAME', 'stscan_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.stscan_trans(state bytea, geom geometry, day date, cases float8,
		max_radius float8, max_days int, replications int, seed int, prospective boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'stscan_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.stscan_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'stscan_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.stscan_final(state bytea) RETURNS minqing.stscan_cluster[]
	AS 'MODULE_PATHNAME', 'stscan_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.stscan_trans(bytea, geometry, date, float8, float8, int) IS 'transition function of stscan()';
COMMENT ON FUNCTION minqing.stscan_trans(bytea, geometry, date, float8, float8, int, int) IS 'transition function of stscan()';
COMMENT ON FUNCTION minqing.stscan_trans(bytea, geometry, date, float8, float8, int, int, int) IS 'transition function of stscan()';
COMMENT ON FUNCTION minqing.stscan_trans(bytea, geometry, date, float8, float8, int, int, int, boolean) IS 'transition function of stscan()';
COMMENT ON FUNCTION minqing.stscan_combine(bytea, bytea) IS 'combine function of stscan(): concatenates (location, day, cases) records';
COMMENT ON FUNCTION minqing.stscan_final(bytea) IS 'final function of stscan(): the scan, secondary clusters and Monte Carlo p-values';

-- Aggregates take no DEFAULT arguments: the defaults replications = 999,
-- seed = 1, prospective = false are overloads.
CREATE AGGREGATE minqing.stscan(geom geometry, day date, cases float8, max_radius float8, max_days int) (
	SFUNC = minqing.stscan_trans, STYPE = bytea,
	COMBINEFUNC = minqing.stscan_combine, FINALFUNC = minqing.stscan_final,
	PARALLEL = SAFE);
CREATE AGGREGATE minqing.stscan(geom geometry, day date, cases float8, max_radius float8, max_days int,
		replications int) (
	SFUNC = minqing.stscan_trans, STYPE = bytea,
	COMBINEFUNC = minqing.stscan_combine, FINALFUNC = minqing.stscan_final,
	PARALLEL = SAFE);
CREATE AGGREGATE minqing.stscan(geom geometry, day date, cases float8, max_radius float8, max_days int,
		replications int, seed int) (
	SFUNC = minqing.stscan_trans, STYPE = bytea,
	COMBINEFUNC = minqing.stscan_combine, FINALFUNC = minqing.stscan_final,
	PARALLEL = SAFE);
CREATE AGGREGATE minqing.stscan(geom geometry, day date, cases float8, max_radius float8, max_days int,
		replications int, seed int, prospective boolean) (
	SFUNC = minqing.stscan_trans, STYPE = bytea,
	COMBINEFUNC = minqing.stscan_combine, FINALFUNC = minqing.stscan_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.stscan(geometry, date, float8, float8, int) IS
	'Kulldorff space-time permutation scan (999 replications, seed 1): non-overlapping clusters ordered by LLR with Monte Carlo p-values';
COMMENT ON AGGREGATE minqing.stscan(geometry, date, float8, float8, int, int) IS
	'Kulldorff space-time permutation scan with the given number of replications (seed 1)';
COMMENT ON AGGREGATE minqing.stscan(geometry, date, float8, float8, int, int, int) IS
	'Kulldorff space-time permutation scan with the given replications and seed';
COMMENT ON AGGREGATE minqing.stscan(geometry, date, float8, float8, int, int, int, boolean) IS
	'Kulldorff space-time permutation scan; prospective = true scans only windows ending on the last day of the data (daily surveillance)';

----------------------------------------------------------------------------
-- alarm_list(): the table a street official reads every morning
----------------------------------------------------------------------------
CREATE TYPE minqing.ears_run_result AS (observed float8, expected float8, threshold float8, alarm boolean,
                                        alarm_days int);
COMMENT ON TYPE minqing.ears_run_result IS
	'ears_run(): cases, expected, threshold and alarm of the last day of a series, and the number of consecutive alarm days ending there';

CREATE FUNCTION minqing.ears_run(day_offsets int[], cases float8[], ndays int, method text DEFAULT 'C2')
	RETURNS minqing.ears_run_result
	AS 'MODULE_PATHNAME', 'ears_run' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.ears_run(int[], float8[], int, text) IS
	'EARS C1/C2/C3 on the last day of a daily series given sparsely (day offsets 0 .. ndays-1 with cases, other days 0): the same numbers as ears() over the gap-filled series, plus the length of the alarm run ending on the last day';

CREATE FUNCTION minqing.ears_days(days date[], cases float8[], first_day date, last_day date,
		series_start date DEFAULT NULL, method text DEFAULT 'C2')
	RETURNS TABLE (day date, observed float8, expected float8, threshold float8)
	AS 'MODULE_PATHNAME', 'ears_days' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION minqing.ears_days(date[], float8[], date, date, date, text) IS
	'EARS C1/C2/C3 on a daily series given sparsely (the days with cases and their counts; the series runs from series_start, default the earliest day, to last_day, other days 0; repeated days add up): its alarm days from first_day on (day, observed, expected, threshold), the same rows as ears(cases, method) OVER (ORDER BY day) over the gap-filled series; what alarm_history(…, ''C1''/''C2''/''C3'') runs per unit and category';

-- Daily orders per unit (at a level) and category over [first_day,
-- last_day], local days of the session's TimeZone: from the orders, or
-- from a daily rollup relation (day, unit_code, state minqing.index_state).
CREATE FUNCTION minqing.alarm_daily(orders regclass, level int, first_day date, last_day date)
	RETURNS TABLE (unit_code text, category_code text, day date, cases float8)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost more than the query
AS $body$
BEGIN
	IF minqing.index_input(orders, ARRAY['created_at', 'category_code', 'unit_code']) = 'orders' THEN
		RETURN QUERY EXECUTE pg_catalog.format($q$
			SELECT minqing.admin_ancestor(o.unit_code, %s), o.category_code, o.created_at::date, count(*)::float8
			FROM %s o
			WHERE o.created_at >= %L::date::timestamptz AND o.created_at < %L::date::timestamptz
			  AND o.unit_code IS NOT NULL AND o.category_code IS NOT NULL
			GROUP BY 1, 2, 3$q$, level, orders, first_day, last_day + 1);
	ELSE
		RETURN QUERY EXECUTE pg_catalog.format($q$
			SELECT minqing.admin_ancestor(r.unit_code::text, %s), x.category_code, r.day, sum(x.orders)::float8
			FROM %s r CROSS JOIN LATERAL minqing.index_state_counts(r.state) x
			WHERE r.day >= %L::date AND r.day <= %L::date
			  AND r.unit_code IS NOT NULL AND x.category_code IS NOT NULL
			GROUP BY 1, 2, 3$q$, level, orders, first_day, last_day);
	END IF;
END
$body$;
COMMENT ON FUNCTION minqing.alarm_daily(regclass, int, date, date) IS
	'internal: orders per unit at a level, category and local day over [first_day, last_day], from orders or a daily index_state rollup';

-- The one check of an admin level argument (alarms, class cases, seasons).
CREATE FUNCTION minqing.admin_check_level(level int) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF level IS NULL OR level NOT BETWEEN 1 AND 6 THEN
		RAISE EXCEPTION 'level must be between 1 and 6'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = format('Got %s.', coalesce(level::text, 'NULL')),
			      HINT = '1 province, 2 city, 3 district, 4 street, 5 community, 6 grid.';
	END IF;
END
$$;
COMMENT ON FUNCTION minqing.admin_check_level(int) IS
	'internal: raise 22023 unless level is between 1 (province) and 6 (grid)';

-- The argument check of alarm_list and alarm_history (alarm_days).
CREATE FUNCTION minqing.alarm_check_args(level int, method text) RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
	PERFORM minqing.admin_check_level(level);
	IF method IS NULL OR pg_catalog.upper(method) NOT IN ('AUTO', 'C1', 'C2', 'C3') THEN
		RAISE EXCEPTION 'unknown alarm method "%"', method
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Use ''auto'' (seasonality-aware, the default), ''C1'', ''C2'' or ''C3''.';
	END IF;
	RETURN pg_catalog.upper(method);
END
$body$;
COMMENT ON FUNCTION minqing.alarm_check_args(int, text) IS
	'internal: the argument check of alarm_list and alarm_history: level between 1 and 6, method auto, C1, C2 or C3 (any case); returns the method in upper case';

CREATE FUNCTION minqing.alarm_list(orders regclass, level int, as_of date, method text DEFAULT 'auto',
		units regclass DEFAULT 'minqing.admin_unit')
	RETURNS TABLE (unit_code text, unit_name text, category_code text, category_name text,
		category_name_en text, observed float8, expected float8, threshold float8, ears_method text,
		alarm_since date)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost more than the query
AS $body$
-- stable: reads tables, and days are cut in the session's TimeZone
DECLARE
	history CONSTANT int := 56;	-- days of series before as_of (EARS needs 7..11)
	m text := minqing.alarm_check_args(alarm_list.level, alarm_list.method);
BEGIN
	IF as_of IS NULL OR orders IS NULL OR units IS NULL THEN
		RETURN;
	END IF;
	PERFORM minqing.index_check_columns(units, ARRAY['code', 'name'], 'units');
	-- one sparse daily series per unit and category with an order in the
	-- window, scored on as_of by the method
	IF m IN ('C1', 'C2', 'C3') THEN
		RETURN QUERY EXECUTE pg_catalog.format($q$
			-- materialized: alarm_list's filter on (s.e).alarm, pushed into the
			-- HAVING, would skip the NOTICE on orders left out
			WITH s AS MATERIALIZED (
				SELECT d.unit_code AS u, CASE WHEN d.unit_code IS NOT NULL THEN d.category_code END AS cat,
				       minqing.ears_run(array_agg(d.day - ($2 - $4)), array_agg(d.cases), $4 + 1, $3) AS e
				FROM minqing.alarm_daily($1, $5, $2 - $4, $2) d
				GROUP BY 1, 2
				-- the orders of no unit at the level (coded coarser) form one group: say so
				HAVING d.unit_code IS NOT NULL
				    OR minqing.index_left_out($1, $5, (SELECT sum(n) FROM unnest(array_agg(d.cases)) n),
				                              ($2 - $4)::timestamptz, ($2 + 1)::timestamptz))
			SELECT s.u, un.name::text, s.cat, c.name_zh, c.name_en, (s.e).observed, (s.e).expected,
			       (s.e).threshold, $3, $2 - (s.e).alarm_days + 1
			FROM s
			LEFT JOIN %1$s un ON un.code = s.u
			LEFT JOIN minqing.category c ON c.code = s.cat
			WHERE (s.e).alarm
			ORDER BY (s.e).observed - (s.e).threshold DESC, s.u, s.cat$q$, units)
		USING orders, alarm_list.as_of, m, history, alarm_list.level;
	ELSIF m = 'AUTO' THEN
		-- 'auto' (install/51-alarms.sql): the alarms alarm_history raises on as_of
		RETURN QUERY EXECUTE pg_catalog.format($q$
			SELECT h.unit_code, un.name::text, h.category_code, c.name_zh, c.name_en, h.observed, h.expected,
			       h.threshold, h.method, h.day
			FROM minqing.alarm_history($1, $2, $3, $3, 'auto', $4) h
			LEFT JOIN %1$s un ON un.code = h.unit_code
			LEFT JOIN minqing.category c ON c.code = h.category_code
			ORDER BY h.observed - h.threshold DESC, h.unit_code, h.category_code$q$, units)
		USING orders, alarm_list.level, alarm_list.as_of, units;
	END IF;
END
$body$;
COMMENT ON FUNCTION minqing.alarm_list(regclass, int, date, text, regclass) IS
	'units (at an admin level) × categories in alarm on as_of; method ''auto'' (default): the alarms alarm_history(…, ''auto'') raises that day (seasonality-aware, one per running event, alarm_since = as_of); ''C1''/''C2''/''C3'' (EARS): daily order counts of the 57 days up to as_of (days without orders count 0) from orders or a daily index_state rollup relation, observed, expected, threshold, method and the first day of the current alarm run (alarm_since)';

----------------------------------------------------------------------------
-- Emerging hot spots: ArcGIS categories from Gi* per time step + Mann–Kendall
----------------------------------------------------------------------------
CREATE TYPE minqing.emerging_hotspot_result AS (
	category text, steps int, hot_steps int, cold_steps int,
	trend_tau float8, trend_z float8, trend_p float8);
COMMENT ON TYPE minqing.emerging_hotspot_result IS
	'emerging_hotspot(): ArcGIS emerging hot spot category, number of time steps, significant hot and cold steps, Mann–Kendall tau, z and p of the Gi* z series';

CREATE FUNCTION minqing.emerging_hotspot(z float8[], confidence float8 DEFAULT 0.90)
	RETURNS minqing.emerging_hotspot_result
	AS 'MODULE_PATHNAME', 'emerging_hotspot' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.emerging_hotspot(float8[], float8) IS
	'emerging hot spot category (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical — hot or cold — or no pattern) of one location from its Gi* z-scores per time step (array_agg(z ORDER BY step)) and a Mann–Kendall trend test; significance at confidence (default 0.90)';
