-- pgTAP: the seasonal regularities the generator plants (src/generate.c: the
-- heating season 15 Nov – 15 Mar, strongest in its first three weeks; weekday
-- factors Monday 1.10 … Sunday 0.68) are found by seasonal_profile() and
-- seasonal_outlook(); outlook intervals cover the next month.
BEGIN;
SELECT plan(9);
SET LOCAL TimeZone = 'Asia/Shanghai';	-- the generated city's days and months

SELECT minqing.generate_city('season_city', 60000, 42) > 0 AS generated \gset

-- the weekly cycle of all orders in 2024 (2024-01-01 is a Monday: phase 1)
CREATE TEMP TABLE season_daily AS
SELECT array_agg(coalesce(n, 0)::float8 ORDER BY d) AS y
FROM generate_series(date '2024-01-01', date '2024-12-29', interval '1 day') d
LEFT JOIN (SELECT created_at::date AS day, count(*) AS n FROM season_city.work_order GROUP BY 1) c ON c.day = d::date;
SELECT is((minqing.seasonal_profile(y, 7)).peak_phase, 1, 'seasonal_profile(): the weekly peak is Monday') FROM season_daily;
SELECT ok((minqing.seasonal_profile(y, 7)).trough_phase IN (6, 7), 'seasonal_profile(): the weekly trough is the weekend') FROM season_daily;

-- heating by district, as of 2025-12-01 (23 months of history: seasonal naive)
CREATE TEMP TABLE season_dec AS
SELECT * FROM minqing.seasonal_outlook('season_city.work_order', 3, '2025-12-01', 1, 'heating', 0.9,
                                       'season_city.admin_unit');
SELECT ok(count(*) = (SELECT count(*) FROM season_city.admin_unit WHERE level = 3)
          AND bool_and(month = date '2025-12-01' AND method = 'seasonal_naive' AND history_months = 23),
          'seasonal_outlook(): one December row per district, seasonal naive from 23 months') FROM season_dec;
SELECT ok(bool_and(peak_month IN (11, 12, 1)), 'seasonal_outlook(): every district''s heating peak month is November, December or January (the season starts 15 Nov, strongest for three weeks)')
FROM season_dec;
SELECT ok(bool_and(trough_month BETWEEN 4 AND 10), 'seasonal_outlook(): heating troughs fall between April and October')
FROM season_dec;
SELECT ok(bool_and(lo <= expected AND expected <= hi AND expected > 2 * same_month_last_year / 3),
          'seasonal_outlook(): intervals contain the forecast, which follows last December') FROM season_dec;
-- calibration: the actual December 2025 counts of every district × category
-- fall inside the 90% intervals for at least 80% of the series (84% measured)
SELECT ok(avg((coalesce(a.n, 0) BETWEEN s.lo AND s.hi)::int) >= 0.8,
          'seasonal_outlook(): December 2025 actuals inside the 90% interval for >= 80% of district-category series')
FROM minqing.seasonal_outlook('season_city.work_order', 3, '2025-12-01', 1, NULL, 0.9, 'season_city.admin_unit') s
LEFT JOIN (SELECT minqing.admin_ancestor(unit_code, 3) AS u, category_code AS c, count(*) AS n FROM season_city.work_order
           WHERE created_at >= '2025-12-01' AND created_at < '2026-01-01' GROUP BY 1, 2) a
       ON a.u = s.unit_code AND a.c = s.category_code;

-- the whole city as of 2026-01-01 (24 months: Holt-Winters), six months ahead
CREATE TEMP TABLE season_city_hw AS
SELECT * FROM minqing.seasonal_outlook('season_city.work_order', 2, '2026-01-01', 6, 'heating', 0.9,
                                       'season_city.admin_unit');
SELECT ok(count(*) = 6 AND bool_and(method = 'holt_winters') AND min(seasonal_strength) > 0.8,
          'seasonal_outlook(): Holt-Winters from 24 months, strong heating seasonality') FROM season_city_hw;
SELECT ok((SELECT expected FROM season_city_hw WHERE month = '2026-01-01') >
          3 * (SELECT expected FROM season_city_hw WHERE month = '2026-06-01'),
          'seasonal_outlook(): January heating forecast is over three times June''s');

SELECT * FROM finish();
ROLLBACK;
