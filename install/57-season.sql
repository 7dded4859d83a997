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

CREATE FUNCTION minqing.season_forecast(y float8[], h int DEFAULT 1, confidence float8 DEFAULT 0.9)
	RETURNS TABLE (step int, forecast float8, lo float8, hi float8, method text)
	AS 'MODULE_PATHNAME', 'season_forecast' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.season_forecast(float8[], int, float8) IS
	'forecast of a monthly count series h months ahead with a prediction interval at confidence: Holt-Winters (period 12, fitted parameters, clipped at 0) from 24 months of history, else the same month a year earlier times the recent year-on-year ratio with a Poisson interval (13-23 months); no rows with 12 months or fewer';

CREATE FUNCTION minqing.seasonal_outlook(orders regclass, level int, as_of date, months int DEFAULT 1,
		category text DEFAULT NULL, confidence float8 DEFAULT 0.9, units regclass DEFAULT 'minqing.admin_unit')
	RETURNS TABLE (unit_code text, unit_name text, category_code text, month date, expected float8,
		lo float8, hi float8, same_month_last_year float8, history_months int, peak_month int,
		trough_month int, seasonal_strength float8, method text)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables, and months are cut in the session's TimeZone
BEGIN
	PERFORM minqing.admin_check_level(seasonal_outlook.level);
	IF as_of IS NULL OR orders IS NULL OR units IS NULL OR months IS NULL OR confidence IS NULL THEN
		RETURN;
	END IF;
	PERFORM minqing.index_check_columns(units, ARRAY['code', 'name'], 'units');
	RETURN QUERY EXECUTE pg_catalog.format($q$
		WITH monthly AS (
			SELECT minqing.admin_ancestor(o.unit_code, $1) AS u, o.category_code AS cat,
			       date_trunc('month', o.created_at)::date AS m, count(*)::float8 AS n
			FROM %1$s o
			WHERE o.created_at >= (date_trunc('month', $2::timestamp) - interval '36 months')::timestamptz
			  AND o.created_at < date_trunc('month', $2::timestamp)::timestamptz
			  AND o.unit_code IS NOT NULL AND o.category_code IS NOT NULL
			  AND ($4::text IS NULL OR o.category_code = $4)
			GROUP BY 1, 2, 3),
		span AS (SELECT min(mo.m) AS m0 FROM monthly mo),
		series AS (
			SELECT p.u, p.cat, array_agg(COALESCE(mo.n, 0) ORDER BY g.m) AS y,
			       array_agg(extract(month FROM g.m)::int ORDER BY g.m) AS cal
			FROM (SELECT DISTINCT mo.u, mo.cat FROM monthly mo WHERE mo.u IS NOT NULL) p
			CROSS JOIN span
			CROSS JOIN generate_series(span.m0, date_trunc('month', $2::timestamp) - interval '1 month',
			                           interval '1 month') AS g (m)
			LEFT JOIN monthly mo ON mo.u = p.u AND mo.cat = p.cat AND mo.m = g.m::date
			GROUP BY p.u, p.cat),
		shape AS (
			SELECT s.u, s.cat,
			       (array_agg(c.cal ORDER BY c.mean DESC, c.cal))[1] AS peak,
			       (array_agg(c.cal ORDER BY c.mean, c.cal))[1] AS trough
			FROM series s,
			     LATERAL (SELECT x.cal, avg(x.y) AS mean FROM unnest(s.y, s.cal) AS x (y, cal) GROUP BY x.cal) c
			GROUP BY s.u, s.cat)
		SELECT s.u, un.name::text, s.cat,
		       (date_trunc('month', $2::timestamp) + (f.step - 1) * interval '1 month')::date,
		       f.forecast, f.lo, f.hi,
		       CASE WHEN f.step <= 12 THEN s.y[array_length(s.y, 1) + f.step - 12] END,
		       array_length(s.y, 1), sh.peak, sh.trough,
		       CASE WHEN array_length(s.y, 1) >= 24 THEN (minqing.seasonal_profile(s.y, 12)).strength END,
		       f.method
		FROM series s
		JOIN shape sh ON sh.u = s.u AND sh.cat = s.cat
		CROSS JOIN LATERAL minqing.season_forecast(s.y, $3, $5) f
		LEFT JOIN %2$s un ON un.code = s.u
		ORDER BY s.u, s.cat, f.step$q$, orders, units)
	USING seasonal_outlook.level, seasonal_outlook.as_of, seasonal_outlook.months,
	      seasonal_outlook.category, seasonal_outlook.confidence;
END
$body$;
COMMENT ON FUNCTION minqing.seasonal_outlook(regclass, int, date, int, text, float8, regclass) IS
	'what complaints of each category will look like in each unit (at an admin level) in the months after as_of: monthly order counts of up to 36 complete months before as_of, season_forecast() with a prediction interval, the same month last year, the calendar months with the highest and lowest mean count, and the STL seasonal strength (24+ months)';
