----------------------------------------------------------------------------
-- Class cases and repeat calls (SPEC §9, docs/class_cases.md): space-time
-- DBSCAN (src/stdbscan.c), repeat flags and first-contact resolution
-- (src/repeat.c), the Knox test (src/knox.c), recurring places
-- (class_cases), caller profiles (src/profile.c).
-- Window functions cannot be STRICT: NULL rows get NULL results in C.
-- Distances: CRS units, or meters for geographic (lon/lat) SRIDs.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.st_dbscan(geom geometry, t timestamptz, eps float8, eps_time interval, minpoints int)
	RETURNS int
	AS 'MODULE_PATHNAME', 'st_dbscan'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.st_dbscan(geometry, timestamptz, float8, interval, int) IS
	'window: space-time DBSCAN cluster id (0, 1, … by first row; NULL for noise): neighbours within eps (meters for lon/lat) and eps_time, minpoints counting the point itself; border points join their nearest core neighbour''s cluster';

-- Repeat calls (重复来电) and first-contact resolution (一次解决率)
CREATE TYPE minqing.repeat_result AS (is_repeat boolean, followed boolean, prior_gap_days float8);
COMMENT ON TYPE minqing.repeat_result IS
	'repeat_flag(): is_repeat (same caller, same category in (t - within, t)), followed (another in (t, t + within]), prior_gap_days (days since the latest earlier one when a repeat)';

CREATE FUNCTION minqing.repeat_flag(category_code text, t timestamptz, within interval DEFAULT '30 days')
	RETURNS minqing.repeat_result
	AS 'MODULE_PATHNAME', 'repeat_flag'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.repeat_flag(text, timestamptz, interval) IS
	'window over PARTITION BY caller_id: (is_repeat, followed, prior_gap_days) of an order among the caller''s orders of the same category within the interval (a month counts 30 days)';

CREATE FUNCTION minqing.repeat_flag(caller_id text, category_code text, t timestamptz, within interval DEFAULT '30 days')
	RETURNS minqing.repeat_result
	AS 'MODULE_PATHNAME', 'repeat_flag_caller'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.repeat_flag(text, text, timestamptz, interval) IS
	'window over PARTITION BY caller_id: as repeat_flag(category_code, t, within), and a NULL caller_id gives (false, false, NULL): anonymous orders are never repeats';

-- Knox test for space-time interaction
CREATE TYPE minqing.knox_result AS (n bigint, pairs float8, close_space float8, close_time float8,
	observed float8, expected float8, ratio float8, p float8);
COMMENT ON TYPE minqing.knox_result IS
	'knox(): n points, n(n-1)/2 pairs, pairs close in space, in time, in both (observed X), expected E = close_space*close_time/pairs, ratio X/E, p = P(Poisson(E) >= X)';

CREATE FUNCTION minqing.knox_trans(state bytea, geom geometry, t timestamptz, eps float8, eps_time interval) RETURNS bytea
	AS 'MODULE_PATHNAME', 'knox_trans' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.knox_trans(bytea, geometry, timestamptz, float8, interval) IS
	'transition function of knox(): appends the point (x, y, t) to the portable state';
-- stable because geographic SRIDs outside the built-in list are looked up in spatial_ref_sys
CREATE FUNCTION minqing.knox_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'knox_combine' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.knox_combine(bytea, bytea) IS
	'combine function of knox(): concatenates the points of two partial states (pairs across them must be counted too)';
CREATE FUNCTION minqing.knox_final(state bytea) RETURNS minqing.knox_result
	AS 'MODULE_PATHNAME', 'knox_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.knox_final(bytea) IS
	'final function of knox(): counts close pairs with the grid neighbour search and returns the Knox statistics';

CREATE AGGREGATE minqing.knox(geom geometry, t timestamptz, eps float8, eps_time interval) (
	SFUNC = minqing.knox_trans, STYPE = bytea,
	COMBINEFUNC = minqing.knox_combine, FINALFUNC = minqing.knox_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.knox(geometry, timestamptz, float8, interval) IS
	'Knox test of space-time interaction (R surveillance::knox X and E; p = P(Poisson(E) >= X)); the state keeps the points (at most 5,000,000) so partial states combine exactly';

-- Repeat rate, first-contact resolution and false resolutions by unit and
-- department (call-centre convention: resolved at first contact = no repeat
-- of the same caller and category within `within`).
CREATE FUNCTION minqing.repeat_kpi(orders regclass, period_start timestamptz, period_end timestamptz,
		within interval DEFAULT '30 days', confidence float8 DEFAULT 0.95)
	RETURNS TABLE (group_by text, group_code text, order_count bigint, orders_with_caller bigint,
		repeat_orders bigint, repeat_rate float8, repeat_lo float8, repeat_hi float8,
		first_contacts bigint, fcr float8, fcr_lo float8, fcr_hi float8,
		resolved_orders bigint, false_resolutions bigint, false_resolution_rate float8,
		false_resolution_lo float8, false_resolution_hi float8)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables
BEGIN
	IF orders IS NULL OR period_start IS NULL OR period_end IS NULL OR within IS NULL THEN
		RETURN;
	END IF;
	IF NOT (period_start < period_end) OR NOT pg_catalog.isfinite(period_start) OR NOT pg_catalog.isfinite(period_end) THEN
		RAISE EXCEPTION 'period_start must be before period_end'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = pg_catalog.format('Got %s and %s.', period_start, period_end),
			      HINT = 'Pass a finite half-open period [period_start, period_end).';
	END IF;
	IF NOT (within > interval '0') THEN
		RAISE EXCEPTION 'within must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', within),
			      HINT = 'Pass the repeat window, e.g. ''30 days''.';
	END IF;
	PERFORM minqing.index_check_columns(orders, ARRAY['id', 'created_at', 'category_code', 'unit_code',
		'resolved', 'caller_id', 'department'], 'orders');
	RETURN QUERY EXECUTE pg_catalog.format($q$
		WITH flagged AS (
			SELECT o.created_at, o.unit_code, o.department, o.resolved, o.caller_id,
			       minqing.repeat_flag(o.caller_id, o.category_code, o.created_at, $3)
			           OVER (PARTITION BY o.caller_id ORDER BY o.created_at) AS r
			FROM %1$s o
			WHERE o.created_at >= $1 - $3 AND o.created_at <= $2 + $3),
		inside AS (
			SELECT f.* FROM flagged f WHERE f.created_at >= $1 AND f.created_at < $2),
		grouped AS (
			SELECT g.kind, g.code, count(*) AS n,
			       count(*) FILTER (WHERE i.caller_id IS NOT NULL AND (i.r).is_repeat IS NOT NULL) AS n_caller,
			       minqing.rate((i.r).is_repeat, $4) FILTER (WHERE i.caller_id IS NOT NULL) AS rep,
			       minqing.rate(NOT (i.r).followed, $4) FILTER (WHERE i.caller_id IS NOT NULL AND NOT (i.r).is_repeat) AS fcr,
			       minqing.rate((i.r).followed, $4) FILTER (WHERE i.caller_id IS NOT NULL AND i.resolved) AS fr
			FROM inside i
			CROSS JOIN LATERAL (VALUES ('all', 'all'), ('unit', i.unit_code), ('department', i.department)) g (kind, code)
			WHERE g.code IS NOT NULL
			GROUP BY g.kind, g.code)
		SELECT g.kind, g.code, g.n, g.n_caller,
		       (g.rep).k, (g.rep).p, (g.rep).lo, (g.rep).hi,
		       (g.fcr).n, (g.fcr).p, (g.fcr).lo, (g.fcr).hi,
		       (g.fr).n, (g.fr).k, (g.fr).p, (g.fr).lo, (g.fr).hi
		FROM grouped g
		ORDER BY CASE g.kind WHEN 'all' THEN 0 WHEN 'unit' THEN 1 ELSE 2 END, g.code$q$, orders)
	USING period_start, period_end, within, confidence;
END
$body$;
COMMENT ON FUNCTION minqing.repeat_kpi(regclass, timestamptz, timestamptz, interval, float8) IS
	'repeat rate, first-contact resolution (non-repeat orders not followed within `within`) and false resolutions (resolved orders followed by a repeat) of the orders in [period_start, period_end), for the whole city, each unit_code and each department, with Wilson intervals (minqing.rate); orders without caller_id are counted but excluded from the three rates';
