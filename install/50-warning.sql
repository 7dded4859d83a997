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
