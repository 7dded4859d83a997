-- bench/alarms.sql — alarm precision of one generated city (run by
-- bench/alarms.sh with -v city=SCHEMA -v level=4 -v year_from=... -v year_to=...).
-- Counts, per method, the alarms of every day of the evaluated year (as
-- alarm_history raises them: every alarm day for C1/C2/C3 and farrington,
-- one per running event for 'auto') outside the planted windows, per 1,000
-- series-days outside them, and the days from each planted event's start to
-- its first alarm inside it.  Planted windows (units at the level, categories,
-- days): the e-bike surge (its street, ebike_charging, start .. end), the storm
-- (every unit, the categories of its peak_multipliers, start .. end + its
-- recovery_days), the parking policy (treated streets, parking, start ..
-- end); none in a city generated with events => false.
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SET work_mem = '256MB';

-- the series: every unit × category with an order, every day of the city
DROP TABLE IF EXISTS pg_temp.series;
CREATE TEMP TABLE series AS
WITH daily AS (
	SELECT minqing.admin_ancestor(o.unit_code, :level) AS u, o.category_code AS cat, o.created_at::date AS day,
	       count(*)::float8 AS n
	FROM :"city".work_order o GROUP BY 1, 2, 3),
pairs AS (SELECT DISTINCT u, cat FROM daily WHERE u IS NOT NULL)
SELECT p.u, p.cat, g.day::date AS day, COALESCE(d.n, 0) AS n
FROM pairs p
CROSS JOIN generate_series(DATE '2024-01-01', DATE '2025-12-31', interval '1 day') g (day)
LEFT JOIN daily d ON d.u = p.u AND d.cat = p.cat AND d.day = g.day::date;

DROP TABLE IF EXISTS pg_temp.windows;
CREATE TEMP TABLE windows AS
SELECT DISTINCT minqing.admin_ancestor(uc, :level) AS u, p.category_code AS cat, p.start_date AS d0, p.end_date AS d1,
       p.kind
FROM :"city".planted p, unnest(p.unit_codes) uc
WHERE p.kind IN ('surge', 'policy')
UNION ALL
SELECT s.u, c.key, p.start_date, p.end_date + COALESCE((p.details ->> 'recovery_days')::int, 0), p.kind
FROM :"city".planted p
CROSS JOIN LATERAL jsonb_each(p.details -> 'peak_multipliers') c
CROSS JOIN (SELECT DISTINCT u FROM series) s
WHERE p.kind = 'storm';

-- alarms of every method: (method, u, cat, day)
DROP TABLE IF EXISTS pg_temp.alarms;
CREATE TEMP TABLE alarms (method text, u text, cat text, day date);
INSERT INTO alarms SELECT 'auto', unit_code, category_code, day
FROM minqing.alarm_history(:'city_tbl', :level, :'year_from', :'year_to', 'auto');
INSERT INTO alarms SELECT h.method, h.unit_code, h.category_code, h.day
FROM unnest(ARRAY['C1', 'C2', 'C3']) m (meth),
     LATERAL minqing.alarm_history(:'city_tbl', :level, :'year_from', :'year_to', m.meth) h;
-- farrington on the daily series: period 365 (sts(…, frequency = 365)),
-- b = 1 (the city has two years), w = 3; alpha 0.05 (its default) and 0.001
INSERT INTO alarms
SELECT 'farrington alpha ' || a.alpha, f.u, f.cat, f.day
FROM (VALUES (0.05), (0.001)) a (alpha)
CROSS JOIN LATERAL (
	SELECT s.u, s.cat, s.day, minqing.farrington(s.n, 365, 1, 3, a.alpha::float8) OVER (PARTITION BY s.u, s.cat ORDER BY s.day) AS r
	FROM series s) f
WHERE (f.r).alarm AND f.day BETWEEN :'year_from' AND :'year_to';

-- the table
WITH days AS (
	SELECT count(*) FILTER (WHERE w.u IS NULL) AS outside
	FROM series s
	LEFT JOIN LATERAL (SELECT w.u FROM windows w WHERE w.u = s.u AND w.cat = s.cat AND s.day BETWEEN w.d0 AND w.d1 LIMIT 1) w ON true
	WHERE s.day BETWEEN :'year_from' AND :'year_to'),
m AS (SELECT unnest(ARRAY['C1', 'C2', 'C3', 'farrington alpha 0.05', 'farrington alpha 0.001', 'auto']) AS method,
             generate_series(1, 6) AS ord),
out AS (
	SELECT a.method, count(*) FILTER (WHERE NOT EXISTS (
		SELECT 1 FROM windows w WHERE w.u = a.u AND w.cat = a.cat AND a.day BETWEEN w.d0 AND w.d1))::float8 AS n
	FROM alarms a GROUP BY 1),
first AS (
	SELECT a.method, w.kind, min(a.day) - min(w.d0) AS delay,
	       count(DISTINCT a.u) FILTER (WHERE a.day = w.d0) AS units_day0
	FROM alarms a JOIN windows w ON w.u = a.u AND w.cat = a.cat AND a.day BETWEEN w.d0 AND w.d1
	WHERE w.kind IN ('surge', 'storm')
	GROUP BY 1, 2)
SELECT format('| %s | %s | %s | %s | %s | %s | %s |', :'city', m.method, COALESCE(o.n, 0)::bigint, d.outside,
              round((1000.0 * COALESCE(o.n, 0) / d.outside)::numeric, 2),
              CASE WHEN EXISTS (SELECT 1 FROM windows WHERE kind = 'surge')
                   THEN COALESCE((SELECT f.delay::text FROM first f WHERE f.method = m.method AND f.kind = 'surge'), 'none') ELSE '—' END,
              CASE WHEN EXISTS (SELECT 1 FROM windows WHERE kind = 'storm')
                   THEN COALESCE((SELECT f.delay || ' (' || f.units_day0 || ' units on day 0)' FROM first f WHERE f.method = m.method AND f.kind = 'storm'), 'none') ELSE '—' END)
FROM m CROSS JOIN days d LEFT JOIN out o ON o.method = m.method
ORDER BY m.ord;
