----------------------------------------------------------------------------
-- Seasonal regularities (SPEC §11, 季节性规律): stl() decomposition,
-- Holt–Winters forecasts with prediction intervals, seasonal profiles
----------------------------------------------------------------------------
CREATE FUNCTION minqing.stl(y float8[], period int, seasonal int DEFAULT 7, robust boolean DEFAULT false)
	RETURNS TABLE (k int, trend float8, seasonal float8, remainder float8)
	AS 'MODULE_PATHNAME', 'stl' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.stl(float8[], int, int, boolean) IS
	'STL decomposition (Cleveland et al. 1990) of a series in time order, equal to statsmodels STL(y, period, seasonal, robust).fit(): one row per element (k = 1..n) with trend, seasonal and remainder; no rows for a series shorter than two periods';

CREATE TYPE minqing.seasonal_profile_result AS (
	period int, cycles float8, strength float8, amplitude float8,
	peak_phase int, trough_phase int, peak_effect float8, trough_effect float8);
COMMENT ON TYPE minqing.seasonal_profile_result IS
	'seasonal_profile(): period, number of cycles in the series, seasonal strength max(0, 1 - Var(R)/Var(S+R)) in 0..1, amplitude (peak minus trough mean seasonal effect), the 1-based phase of the peak and of the trough, and their mean seasonal effects (counts above/below trend)';
CREATE FUNCTION minqing.seasonal_profile(y float8[], period int, seasonal int DEFAULT 7)
	RETURNS minqing.seasonal_profile_result
	AS 'MODULE_PATHNAME', 'seasonal_profile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.seasonal_profile(float8[], int, int) IS
	'seasonal profile of a series from stl(): peak and trough phase (phase 1 = the first element), amplitude and seasonal strength (Wang, Smith & Hyndman 2006); NULL fields for fewer than two periods';

CREATE FUNCTION minqing.holt_winters(y float8[], period int, alpha float8, beta float8, gamma float8,
		h int DEFAULT 1, level float8 DEFAULT 0.95)
	RETURNS TABLE (step int, forecast float8, lo float8, hi float8)
	AS 'MODULE_PATHNAME', 'holt_winters' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.holt_winters(float8[], int, float8, float8, float8, int, float8) IS
	'additive Holt-Winters forecast h steps ahead with R HoltWinters(ts(y, frequency = period), alpha, beta, gamma) semantics and predict(prediction.interval = TRUE, level); NULL alpha/beta/gamma are fitted by minimising the one-step squared error over [0, 1]; no rows for a series shorter than two periods';

CREATE TYPE minqing.holt_winters_fit_result AS (
	alpha float8, beta float8, gamma float8, sse float8,
	level float8, trend float8, start_level float8, start_trend float8);
COMMENT ON TYPE minqing.holt_winters_fit_result IS
	'holt_winters_fit(): the smoothing parameters used (fitted where NULL was given), the sum of squared one-step errors, the final level and trend (R coefficients a and b) and the start level and trend (R l.start, b.start)';
CREATE FUNCTION minqing.holt_winters_fit(y float8[], period int, alpha float8, beta float8, gamma float8)
	RETURNS minqing.holt_winters_fit_result
	AS 'MODULE_PATHNAME', 'holt_winters_fit' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.holt_winters_fit(float8[], int, float8, float8, float8) IS
	'the fitted additive Holt-Winters model behind holt_winters(): parameters, SSE, final and start level and trend; NULL fields for a series shorter than two periods';
