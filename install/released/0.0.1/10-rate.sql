----------------------------------------------------------------------------
-- Rates (SPEC §2): rate() with Wilson intervals, kpi()
-- Transition functions are not STRICT: they skip NULL rows themselves.
----------------------------------------------------------------------------
CREATE TYPE minqing.rate_result AS (n bigint, k bigint, p float8, lo float8, hi float8);
COMMENT ON TYPE minqing.rate_result IS
	'rate(): n non-NULL flags, k true, p = k/n, Wilson score interval [lo, hi]';

CREATE FUNCTION minqing.rate_trans(state bytea, flag boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_trans(state bytea, flag boolean, confidence float8) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_trans_conf' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_final(state bytea) RETURNS minqing.rate_result
	AS 'MODULE_PATHNAME', 'rate_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.rate_trans(bytea, boolean) IS 'transition function of rate(boolean)';
COMMENT ON FUNCTION minqing.rate_trans(bytea, boolean, float8) IS 'transition function of rate(boolean, float8)';
COMMENT ON FUNCTION minqing.rate_combine(bytea, bytea) IS 'combine function of rate()';
COMMENT ON FUNCTION minqing.rate_final(bytea) IS 'final function of rate(): Wilson score interval';

CREATE AGGREGATE minqing.rate(flag boolean) (
	SFUNC = minqing.rate_trans, STYPE = bytea,
	COMBINEFUNC = minqing.rate_combine, FINALFUNC = minqing.rate_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate(boolean) IS
	'share of true among non-NULL flags with a 95% Wilson score interval: (n, k, p, lo, hi)';

CREATE AGGREGATE minqing.rate(flag boolean, confidence float8) (
	SFUNC = minqing.rate_trans, STYPE = bytea,
	COMBINEFUNC = minqing.rate_combine, FINALFUNC = minqing.rate_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate(boolean, float8) IS
	'share of true among non-NULL flags with a Wilson score interval at the given confidence (0..1)';

CREATE TYPE minqing.kpi_result AS (
	orders bigint, response_rate float8, resolution_rate float8,
	satisfaction_rate float8, score float8);
COMMENT ON TYPE minqing.kpi_result IS
	'kpi(): orders, the three hotline rates and the weighted score (0..100)';

CREATE FUNCTION minqing.kpi_trans(state bytea, responded boolean, resolved boolean, satisfied boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- stable because it reads setting minqing.kpi_weights
CREATE FUNCTION minqing.kpi_final(state bytea) RETURNS minqing.kpi_result
	AS 'MODULE_PATHNAME', 'kpi_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.kpi_trans(bytea, boolean, boolean, boolean) IS 'transition function of kpi()';
COMMENT ON FUNCTION minqing.kpi_combine(bytea, bytea) IS 'combine function of kpi()';
COMMENT ON FUNCTION minqing.kpi_final(bytea) IS 'final function of kpi(); reads minqing.kpi_weights';

CREATE AGGREGATE minqing.kpi(responded boolean, resolved boolean, satisfied boolean) (
	SFUNC = minqing.kpi_trans, STYPE = bytea,
	COMBINEFUNC = minqing.kpi_combine, FINALFUNC = minqing.kpi_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kpi(boolean, boolean, boolean) IS
	'orders, response/resolution/satisfaction rates (each over its non-NULL flags) and score = 100 × weighted mean (minqing.kpi_weights)';
