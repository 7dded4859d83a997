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
