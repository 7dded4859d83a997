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
