----------------------------------------------------------------------------
-- Alarms people can trust (SPEC §11): farrington() as R surveillance
-- farringtonFlexible, auto_alarm() behind alarm_list's 'auto' method, and
-- alarm_history() (src/alarms.c, docs/warning.md)
----------------------------------------------------------------------------
CREATE TYPE minqing.farrington_result AS (expected float8, upperbound float8, alarm boolean);
COMMENT ON TYPE minqing.farrington_result IS
	'farrington(): expected count (the GLM prediction), upper bound of the 2/3-power prediction interval, alarm; expected and upperbound are NULL and alarm false when the last 4 periods hold fewer than 5 cases (R''s limit54)';

CREATE FUNCTION minqing.farrington(cases float8, period int, b int DEFAULT 1, w int DEFAULT 3,
		alpha float8 DEFAULT 0.05) RETURNS minqing.farrington_result
	AS 'MODULE_PATHNAME', 'farrington' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.farrington(float8, int, int, int, float8) IS
	'improved Farrington algorithm as R surveillance 1.20.3 farringtonFlexible on sts(cases, frequency = period) with control b, w, alpha (quasi-Poisson GLM with trend test, Anscombe reweighting, 2/3-power threshold, 5-in-4 rule) over OVER (PARTITION BY … ORDER BY t), one row per period; NULL for the first b·period + w periods, for NULL cases (a missing period), with fewer than 3 reference values, and when no model converges';

CREATE TYPE minqing.auto_alarm_result AS (expected float8, threshold float8, alarm boolean, raised boolean);
COMMENT ON TYPE minqing.auto_alarm_result IS
	'auto_alarm(): expected count, threshold = max(2/3-power upper bound, min_cases − 1), alarm = cases > threshold, raised = alarm with no alarm on the 7 days before (one alarm per running event)';

CREATE FUNCTION minqing.auto_alarm(cases float8, alpha float8 DEFAULT 0.001, min_cases float8 DEFAULT 5,
		score boolean DEFAULT true) RETURNS minqing.auto_alarm_result
	AS 'MODULE_PATHNAME', 'auto_alarm' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.auto_alarm(float8, float8, float8, boolean) IS
	'the seasonality-aware daily alarm of alarm_list(…, ''auto''), over OVER (PARTITION BY … ORDER BY day) with one row per day: quasi-Poisson GLM (reweighted as Farrington) of this year''s last 8 weeks, the same weeks last year and last year''s week around the day (52 weeks back, same weekday), with weekday effects; Farrington''s 2/3-power upper bound at alpha, at least min_cases; NULL before 60 days of history and on rows where score is false (history only)';

CREATE FUNCTION minqing.auto_alarm_run(days date[], cases float8[], first_day date, last_day date,
		series_start date DEFAULT NULL, alpha float8 DEFAULT 0.001, min_cases float8 DEFAULT 5)
	RETURNS TABLE (day date, observed float8, expected float8, threshold float8, raised boolean)
	AS 'MODULE_PATHNAME', 'auto_alarm_run' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION minqing.auto_alarm_run(date[], float8[], date, date, date, float8, float8) IS
	'auto_alarm on a daily series given sparsely (the days with cases and their counts; the series runs from series_start, default the earliest day, to last_day, other days 0; repeated days add up), without gap-filled rows: its alarm days from first_day on (day, observed, expected, threshold, raised), the same rows as auto_alarm(cases, alpha, min_cases, score => day >= first_day - 7) OVER (ORDER BY day) over the gap-filled series; what alarm_history(…, ''auto'') runs per unit and category';

----------------------------------------------------------------------------
-- alarm_history(): every alarm of every day, as alarm_list raised it that morning
----------------------------------------------------------------------------
-- The work is in alarm_days(): a PL/pgSQL function cannot have an input
-- and an output both named "method", as SPEC's alarm_history has.
CREATE FUNCTION minqing.alarm_days(orders regclass, level int, date_from date, date_to date, method text)
	RETURNS TABLE (alarm_day date, alarm_unit text, alarm_category text, alarm_observed float8,
		alarm_expected float8, alarm_threshold float8, alarm_method text)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables, and days are cut in the session's TimeZone
DECLARE
	m text := minqing.alarm_check_args(alarm_days.level, alarm_days.method);
	-- days read before date_from: EARS needs 11, 'auto' 423 for last year's
	-- blocks plus 7 for the alarms that suppress a repeated one
	history int;
BEGIN
	IF date_from IS NULL OR date_to IS NULL OR orders IS NULL THEN
		RETURN;
	END IF;
	IF date_to < date_from THEN
		RAISE EXCEPTION 'date_to must not be before date_from'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = pg_catalog.format('Got %s .. %s.', date_from, date_to),
			      HINT = 'Both ends are included: alarm_history(orders, 4, ''2025-01-01'', ''2025-12-31'').';
	END IF;
	IF date_to - date_from > 3660 THEN
		RAISE EXCEPTION 'alarm_history covers at most 3661 days'
			USING ERRCODE = 'program_limit_exceeded',
			      DETAIL = pg_catalog.format('Got %s days.', date_to - date_from + 1),
			      HINT = 'Ask for ten years or less at a time.';
	END IF;
	IF m = 'AUTO' THEN
		history := 430;
		-- series start on the first day with any order (before it there was
		-- no data, not zero orders); one sparse series per unit and category
		-- goes to auto_alarm_run, which fills the gaps in C and scores from
		-- date_from - 7 on (the alarms that suppress a repeated one) only the
		-- days that can alarm: the rows of auto_alarm over the gap-filled
		-- series, without building them (16x faster at community level)
		RETURN QUERY EXECUTE $q$
			WITH runs AS (
				SELECT a.unit_code AS u, CASE WHEN a.unit_code IS NOT NULL THEN a.category_code END AS cat,
				       array_agg(a.day) AS days, array_agg(a.cases) AS ns, min(min(a.day)) OVER () AS d0
				FROM minqing.alarm_daily($5, $1, $2 - $4, $3) a
				GROUP BY 1, 2)
			SELECT x.day, r.u, r.cat, x.observed, x.expected, x.threshold, 'auto'::text
			FROM runs r
			CROSS JOIN LATERAL minqing.auto_alarm_run(r.days, r.ns, $2, $3, r.d0) x
			-- the orders of no unit at the level (coded coarser) form one run: say so
			WHERE (r.u IS NOT NULL
			       OR minqing.index_left_out($5, $1, (SELECT sum(n) FROM unnest(r.ns) n), ($2 - $4)::timestamptz,
			                                 ($3 + 1)::timestamptz))
			  AND x.raised
			ORDER BY x.day, x.observed - x.threshold DESC, r.u, r.cat$q$
		USING alarm_days.level, date_from, date_to, history, orders;
	ELSE
		history := 56;
		-- one sparse series per unit and category from date_from - 56 on,
		-- scored by ears_days in C: the rows of ears() over the gap-filled
		-- series, without building them
		RETURN QUERY EXECUTE $q$
			WITH runs AS (
				SELECT a.unit_code AS u, CASE WHEN a.unit_code IS NOT NULL THEN a.category_code END AS cat,
				       array_agg(a.day) AS days, array_agg(a.cases) AS ns
				FROM minqing.alarm_daily($5, $1, $2 - $4, $3) a
				GROUP BY 1, 2
				-- the orders of no unit at the level (coded coarser) form one group: say so
				HAVING a.unit_code IS NOT NULL
				    OR minqing.index_left_out($5, $1, (SELECT sum(n) FROM unnest(array_agg(a.cases)) n),
				                              ($2 - $4)::timestamptz, ($3 + 1)::timestamptz))
			SELECT x.day, r.u, r.cat, x.observed, x.expected, x.threshold, $6
			FROM runs r
			CROSS JOIN LATERAL minqing.ears_days(r.days, r.ns, $2, $3, $2 - $4, $6) x
			ORDER BY x.day, x.observed - x.threshold DESC, r.u, r.cat$q$
		USING alarm_days.level, date_from, date_to, history, orders, m;
	END IF;
END
$body$;
COMMENT ON FUNCTION minqing.alarm_days(regclass, int, date, date, text) IS
	'internal: the rows of alarm_history()';

CREATE FUNCTION minqing.alarm_history(orders regclass, level int, date_from date, date_to date,
		method text DEFAULT 'auto', units regclass DEFAULT 'minqing.admin_unit')
	RETURNS TABLE (day date, unit_code text, category_code text, observed float8, expected float8,
		threshold float8, method text)
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	-- stable: reads tables, and days are cut in the session's TimeZone
AS $body$
	-- units: accepted like alarm_list's; the rows carry codes, not names
	SELECT * FROM minqing.alarm_days($1, $2, $3, $4, $5)
$body$;
COMMENT ON FUNCTION minqing.alarm_history(regclass, int, date, date, text, regclass) IS
	'every alarm of every day in [date_from, date_to] (units at an admin level × categories) as alarm_list would have raised it that morning, from the history up to that day only (orders, or a daily index_state rollup relation): day, unit_code, category_code, observed, expected, threshold, method; ''auto'' (default) raises a running event once (auto_alarm), ''C1''/''C2''/''C3'' list every EARS alarm day';
