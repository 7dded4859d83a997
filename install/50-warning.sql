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
