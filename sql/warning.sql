-- early warning: ears(), stscan(), alarm_list() (tagged x.. ears, s.. stscan,
-- a.. alarm_list, e.. errors)
SET extra_float_digits = 0;

-- EARS reference: test/reference/warning_ears.R (R surveillance 1.20.3,
-- earsC with control = list(method = m), all other controls default), run
-- once; columns (method, row, upperbound, alarm) pasted here.
CREATE TEMP TABLE ears_series AS
SELECT d::int AS d, x FROM unnest('{5, 7, 6, 4, 8, 6, 5, 7, 6, 9, 5, 6, 7, 4, 6, 8, 7, 5, 6, 7, 9, 14, 19, 25, 11, 8, 6, 7, 5, 6, 3, 6, 12, 6, 5, 7, 22, 6, 7, 5}'::float8[]) WITH ORDINALITY u (x, d);
CREATE TEMP TABLE ears_ref (method text, d int, threshold float8, alarm boolean);
INSERT INTO ears_ref VALUES
	('C1', 8, 10.014078294464, false),
	('C1', 9, 10.299792580178, false),
	('C1', 10, 9.989472752567, false),
	('C1', 11, 11.738361191144, false),
	('C1', 12, 11.243420671736, false),
	('C1', 13, 10.550640055421, false),
	('C1', 14, 10.746479674081, false),
	('C1', 15, 11.241110229380, false),
	('C1', 16, 11.005620695349, false),
	('C1', 17, 11.738361191144, false),
	('C1', 18, 10.299792580178, false),
	('C1', 19, 10.299792580178, false),
	('C1', 20, 10.299792580178, false),
	('C1', 21, 10.299792580178, false),
	('C1', 22, 11.014078294464, true),
	('C1', 23, 17.097397583158, true),
	('C1', 24, 25.314147160117, false),
	('C1', 25, 35.434584774457, false),
	('C1', 26, 34.335288498713, false),
	('C1', 27, 33.683922856761, false),
	('C1', 28, 34.058394030485, false),
	('C1', 29, 34.520279033252, false),
	('C1', 30, 34.960570796399, false),
	('C1', 31, 31.398403141004, false),
	('C1', 32, 14.319050981540, false),
	('C1', 33, 10.719906409635, true),
	('C1', 34, 14.958422967985, false),
	('C1', 35, 14.958422967985, false),
	('C1', 36, 14.778673633876, false),
	('C1', 37, 14.958422967985, true),
	('C1', 38, 28.718560758997, false),
	('C1', 39, 28.060579497315, false),
	('C1', 40, 27.973682686943, false),
	('C2', 10, 10.014078294464, false),
	('C2', 11, 10.299792580178, false),
	('C2', 12, 9.989472752567, false),
	('C2', 13, 11.738361191144, false),
	('C2', 14, 11.243420671736, false),
	('C2', 15, 10.550640055421, false),
	('C2', 16, 10.746479674081, false),
	('C2', 17, 11.241110229380, false),
	('C2', 18, 11.005620695349, false),
	('C2', 19, 11.738361191144, false),
	('C2', 20, 10.299792580178, false),
	('C2', 21, 10.299792580178, false),
	('C2', 22, 10.299792580178, true),
	('C2', 23, 10.299792580178, true),
	('C2', 24, 11.014078294464, true),
	('C2', 25, 17.097397583158, false),
	('C2', 26, 25.314147160117, false),
	('C2', 27, 35.434584774457, false),
	('C2', 28, 34.335288498713, false),
	('C2', 29, 33.683922856761, false),
	('C2', 30, 34.058394030485, false),
	('C2', 31, 34.520279033252, false),
	('C2', 32, 34.960570796399, false),
	('C2', 33, 31.398403141004, false),
	('C2', 34, 14.319050981540, false),
	('C2', 35, 10.719906409635, false),
	('C2', 36, 14.958422967985, false),
	('C2', 37, 14.958422967985, true),
	('C2', 38, 14.778673633876, false),
	('C2', 39, 14.958422967985, false),
	('C2', 40, 28.718560758997, false),
	('C3', 12, 6.805050338410, false),
	('C3', 13, 10.367706912956, false),
	('C3', 14, 6.963187018135, false),
	('C3', 15, 8.705007286565, false),
	('C3', 16, 10.738611149995, false),
	('C3', 17, 9.943070629052, false),
	('C3', 18, 7.888055112055, false),
	('C3', 19, 9.367706912956, false),
	('C3', 20, 9.636514972336, false),
	('C3', 21, 11.636514972336, false),
	('C3', 22, 15.124557533462, false),
	('C3', 23, 13.612600094588, true),
	('C3', 24, 9.612600094588, true),
	('C3', 25, 0.000000000000, true),
	('C3', 26, 0.000000000000, true),
	('C3', 27, 20.629079950557, false),
	('C3', 28, 20.531797261257, false),
	('C3', 29, 17.937459125190, false),
	('C3', 30, 19.265571955626, false),
	('C3', 31, 16.739732968495, false),
	('C3', 32, 20.834443449035, false),
	('C3', 33, 25.753040219041, false),
	('C3', 34, 10.913889761403, false),
	('C3', 35, 8.084182832856, false),
	('C3', 36, 12.410014573130, false),
	('C3', 37, 27.410014573130, false),
	('C3', 38, 0.000000000000, true),
	('C3', 39, 0.000000000000, true),
	('C3', 40, 17.687608807342, false);

-- x1: thresholds within 1e-9 of R, alarms identical, NULL exactly where R has no value
SELECT 'x1', m.method, count(r.d) AS r_rows, count(e.threshold) AS our_rows,
       bool_and(abs(e.threshold - r.threshold) < 1e-9 AND e.alarm = r.alarm) AS same
FROM (VALUES ('C1'), ('C2'), ('C3')) m (method)
CROSS JOIN LATERAL (
	SELECT s.d, (minqing.ears(s.x, m.method) OVER (ORDER BY s.d)).* FROM ears_series s) e
LEFT JOIN ears_ref r ON r.method = m.method AND r.d = e.d
GROUP BY m.method ORDER BY m.method;
-- x2: expected is the mean of the baseline (C1: 7 periods before; C2, C3: 7 before a 2-period guard)
SELECT 'x2', bool_and(abs((e1).expected - b1) < 1e-12) AS c1, bool_and(abs((e2).expected - b2) < 1e-12) AS c2,
       bool_and(abs((e3).expected - b2) < 1e-12) AS c3, count(e1) AS n1, count(e2) AS n2, count(e3) AS n3
FROM (SELECT minqing.ears(x, 'C1') OVER w AS e1, minqing.ears(x) OVER w AS e2, minqing.ears(x, 'c3') OVER w AS e3,
             avg(x) OVER (w ROWS BETWEEN 7 PRECEDING AND 1 PRECEDING) AS b1,
             avg(x) OVER (w ROWS BETWEEN 9 PRECEDING AND 3 PRECEDING) AS b2
      FROM ears_series WINDOW w AS (ORDER BY d)) q
WHERE e1 IS NOT NULL;
-- x3: the default method is C2; a NULL row gets NULL and does not shift the others
SELECT 'x3', bool_and(a IS NOT DISTINCT FROM b) AS default_c2
FROM (SELECT minqing.ears(x) OVER w AS a, minqing.ears(x, 'C2') OVER w AS b
      FROM ears_series WINDOW w AS (ORDER BY d)) q;
SELECT 'x3', count(*) FILTER (WHERE x IS NULL AND e IS NOT NULL) AS null_rows_with_result,
       bool_and(x IS NULL OR e IS NOT DISTINCT FROM ref) AS others_unchanged
FROM (SELECT s.d, s.x, minqing.ears(s.x, 'C3') OVER (ORDER BY s.d) AS e, r.e AS ref
      FROM (SELECT d, x FROM ears_series UNION ALL SELECT d + 1000, NULL FROM ears_series WHERE d % 5 = 0) s
      LEFT JOIN (SELECT d, minqing.ears(x, 'C3') OVER (ORDER BY d) AS e FROM ears_series) r USING (d)
      ORDER BY s.d) q;
-- x4: partitions are independent series; a short series is all NULL
SELECT 'x4', p, count(*) AS rows, count(e) AS with_result
FROM (SELECT p, minqing.ears(x, 'C1') OVER (PARTITION BY p ORDER BY d) AS e
      FROM (SELECT d % 2 AS p, d, x FROM ears_series WHERE d % 2 = 1 OR d <= 8) s) q
GROUP BY p ORDER BY p;
-- x5: constant baseline (sd 0): C2 threshold = mean, alarm when above; C3 is NaN/NA in R
-- (test/reference/warning_ears.R, second part), NULL here
SELECT 'x5', d, x, (minqing.ears(x, 'C2') OVER w).*, (minqing.ears(x, 'C3') OVER w).threshold AS c3_threshold
FROM (SELECT d, CASE WHEN d = 12 THEN 5 ELSE 3 END::float8 AS x FROM generate_series(1, 13) d) s
WINDOW w AS (ORDER BY d) ORDER BY d OFFSET 9;

-- errors and documented NULLs
SELECT 'e1', minqing.ears(x, 'C4') OVER (ORDER BY d) FROM ears_series;
SELECT 'e2', minqing.ears(x) OVER () FROM ears_series;
SELECT 'e3', minqing.ears(x) OVER (ORDER BY d / 2) FROM ears_series;
SELECT 'e4', minqing.ears(x) OVER (ORDER BY d) FROM (VALUES (1, 1::float8), (2, 'NaN')) v (d, x);
SELECT 'e5', minqing.ears(x, NULL) OVER (ORDER BY d) IS NULL FROM (VALUES (1, 1::float8)) v (d, x);

-- stscan: a hand-checkable case.  3 locations 10 m apart, 5 days, 1 case
-- each location-day except 6 at x = 0 on day 4.  C = 20.
CREATE TEMP TABLE st_small AS
SELECT ST_MakePoint(x, 0) AS geom, DATE '2024-01-01' + d AS day,
       CASE WHEN x = 0 AND d = 3 THEN 6 ELSE 1 END::float8 AS cases
FROM generate_series(0, 20, 10) x, generate_series(0, 4) d;
SELECT 's1', (c).rank, ST_AsText((c).center), (c).radius, (c).day_start, (c).day_end, (c).observed,
       (c).expected, round((c).llr::numeric, 12) AS llr, (c).locations
FROM unnest((SELECT minqing.stscan(geom, day, cases, 10, 2, 99, 1) FROM st_small)) c;
-- s2: observed, expected (zone total × window total / C) and LLR recomputed in SQL
WITH cl AS (SELECT (unnest(minqing.stscan(geom, day, cases, 10, 2, 99, 1))).* FROM st_small),
     tot AS (SELECT sum(cases) AS c_all FROM st_small)
SELECT 's2', cl.rank, o.c = cl.observed AS observed_ok, abs(o.mu - cl.expected) < 1e-12 AS expected_ok,
       abs(o.c * ln(o.c / o.mu) + (tot.c_all - o.c) * ln((tot.c_all - o.c) / (tot.c_all - o.mu)) - cl.llr) < 1e-12 AS llr_ok
FROM cl, tot, LATERAL (
	SELECT sum(s.cases) FILTER (WHERE ST_Distance(s.geom, cl.center) <= cl.radius
	                            AND s.day BETWEEN cl.day_start AND cl.day_end) AS c,
	       sum(s.cases) FILTER (WHERE ST_Distance(s.geom, cl.center) <= cl.radius)
	       * sum(s.cases) FILTER (WHERE s.day BETWEEN cl.day_start AND cl.day_end) / tot.c_all AS mu
	FROM st_small s) o
ORDER BY cl.rank;
-- s3: same seed, same answer; another seed, same clusters (only p may move)
SELECT 's3', a = b AS same_seed, (SELECT array_agg((c).llr) FROM unnest(a) c) = (SELECT array_agg((c).llr) FROM unnest(d) c) AS same_clusters
FROM (SELECT minqing.stscan(geom, day, cases, 10, 2, 99, 1) AS a, minqing.stscan(geom, day, cases, 10, 2, 99, 1) AS b,
             minqing.stscan(geom, day, cases, 10, 2, 99, 7) AS d FROM st_small) q;
-- s4: prospective: only windows ending on the last day (2024-01-05)
SELECT 's4', bool_and((c).day_end = DATE '2024-01-05') AS all_end_last_day, count(*) > 0 AS some
FROM unnest((SELECT minqing.stscan(geom, day, cases, 10, 3, 99, 1, true)
             FROM (SELECT geom, day, cases + CASE WHEN day = DATE '2024-01-05' AND ST_X(geom) = 20 THEN 4 ELSE 0 END AS cases
                   FROM st_small) s)) c;
-- s5: empty input NULL; all-zero cases and a single row: no cluster (empty array); NULL rows skipped
SELECT 's5', (SELECT minqing.stscan(geom, day, cases, 10, 2) FROM st_small WHERE false) IS NULL AS empty_null,
       (SELECT minqing.stscan(geom, day, 0, 10, 2) FROM st_small) AS zero_cases,
       (SELECT minqing.stscan(geom, day, cases, 10, 2) FROM (SELECT * FROM st_small LIMIT 1) s) AS one_row,
       (SELECT minqing.stscan(geom, day, cases, 10, 2, 99, 1) FROM (SELECT * FROM st_small UNION ALL
             SELECT NULL, DATE '2024-01-01', 100 UNION ALL SELECT 'POINT EMPTY', DATE '2024-01-01', 100
             UNION ALL SELECT 'POINT(0 0)', NULL, 100) s)
       = (SELECT minqing.stscan(geom, day, cases, 10, 2, 99, 1) FROM st_small) AS nulls_skipped;
-- s6: geographic input: radius in meters, the same clusters as the same points in UTM 50N
-- (points jittered off the grid so no two distances tie)
CREATE TEMP TABLE st_geo AS
SELECT ST_Transform(ST_SetSRID(ST_MakePoint(500000 + 100 * (i % 6) + (i * 37) % 11, 3300000 + 100 * (i / 6) + (i * 53) % 7), 32650), 4326) AS geom,
       DATE '2024-03-01' + d AS day,
       (1 + (i * 7 + d * 3) % 3 + CASE WHEN i IN (7, 8, 13) AND d BETWEEN 5 AND 6 THEN 5 ELSE 0 END)::float8 AS cases
FROM generate_series(0, 35) i, generate_series(0, 9) d;
SELECT 's6', g.rank, g.locations, round(g.radius) AS radius_m, abs(g.radius / u.radius - 1) < 0.005 AS radius_ok,
       g.day_start, g.day_end, g.observed, g.observed = u.observed AND g.llr = u.llr AS same_cluster, ST_DWithin(ST_Transform(g.center, 32650), u.center, 0.01) AS same_center
FROM (SELECT (unnest(minqing.stscan(geom, day, cases, 150, 3, 9, 1))).* FROM st_geo) g
JOIN (SELECT (unnest(minqing.stscan(ST_Transform(geom, 32650), day, cases, 150, 3, 9, 1))).* FROM st_geo) u USING (rank)
WHERE g.rank <= 2 ORDER BY g.rank;
-- errors
SELECT 'e6', minqing.stscan(geom, day, cases, 0, 2) FROM st_small;
SELECT 'e7', minqing.stscan(geom, day, cases, -5, 2) FROM st_small;
SELECT 'e8', minqing.stscan(geom, day, cases, 'NaN', 2) FROM st_small;
SELECT 'e9', minqing.stscan(geom, day, cases, 10, 0) FROM st_small;
SELECT 'e10', minqing.stscan(geom, day, cases, 10, 2, 0) FROM st_small;
SELECT 'e11', minqing.stscan(geom, day, cases, 10, 2, -1) FROM st_small;
SELECT 'e12', minqing.stscan(geom, day, -1, 10, 2) FROM st_small;
SELECT 'e13', minqing.stscan(geom, day, 0.5, 10, 2) FROM st_small;
SELECT 'e14', minqing.stscan(geom, day, 'Infinity', 10, 2) FROM st_small;
SELECT 'e15', minqing.stscan(ST_SetSRID(geom, (ST_X(geom) > 0)::int * 4326), day, cases, 10, 2) FROM st_small;
SELECT 'e16', minqing.stscan(ST_MakeLine(geom, geom), day, cases, 10, 2) FROM st_small;
SELECT 'e17', minqing.stscan(geom, 'infinity'::date, cases, 10, 2) FROM st_small;
SELECT 'e18', minqing.stscan(geom, day, cases, 10 + ST_X(geom), 2) FROM st_small;
SET minqing.max_cells = 10;
SELECT 'e19', minqing.stscan(geom, day, cases, 10, 2) FROM st_small;
RESET minqing.max_cells;

-- emerging_hotspot: Mann–Kendall z and p against R (test/reference/warning_mannkendall.R:
-- cor.test(z, seq_along(z), method = "kendall", exact = FALSE, continuity = TRUE), run once)
CREATE TEMP TABLE eh (name text, z float8[], r_z float8, r_p float8);
INSERT INTO eh VALUES
	('new', '{0,0.5,1,0.2,0,1,0.3,0.1,0.2,2.5}', 0.633750222298, 0.526243843459),
	('consecutive', '{0,0.5,1,0.2,0,1,0.3,0.1,2,2.5}', 1.442671415468, 0.149113055138),
	('intensifying', '{1.7,1.8,1.9,2,2.1,2.2,2.3,2.4,2.5,2.6}', 3.935479640400, 0.000083030703),
	('persistent', '{2,2.5,2,2.5,2,2.5,2,2.5,2,2.5}', 0.417786374294, 0.676103314023),
	('diminishing', '{3,2.9,2.8,2.7,2.6,2.5,2.4,2.3,2.2,2.1}', -3.935479640400, 0.000083030703),
	('sporadic', '{2,0,2,0,2,0,0,0,0,2}', -0.533001790889, 0.594032340599),
	('oscillating', '{-2,0,2,0,2,0,0,0,0,2}', 0.829561355784, 0.406786833398),
	('historical', '{2,2,2,2,2,2,2,2,2,0}', -1.392621247646, 0.163734354325);
-- h1: trend z and p within 1e-9 of R; h2: the category each series was built for
SELECT 'h1', name, abs((r).trend_z - r_z) < 1e-9 AND abs((r).trend_p - r_p) < 1e-9 AS same_as_r,
       (r).category, (r).steps, (r).hot_steps, (r).cold_steps, round((r).trend_tau::numeric, 6) AS tau
FROM (SELECT name, r_z, r_p, minqing.emerging_hotspot(z) AS r FROM eh) q ORDER BY name;
SELECT 'h2', z, (minqing.emerging_hotspot(z)).category FROM (VALUES
	('{0,0,0,0,0,0,0,0,0,-2}'::float8[]), ('{-2,-2,-2,-2,-2,-2,-2,-2,-2,-2}'), ('{0,0,0,0,0,0,0,0,-2,-2}'),
	('{-3,-2.9,-2.8,-2.7,-2.6,-2.5,-2.4,-2.3,-2.2,-2.1}'), ('{-2,-2,-2,-2,-2,-2,-2,-2,-2,0}'),
	('{0,0,0,0,0,0,0,0,0,0}'), ('{2}'), ('{0,NULL,2,2}'), ('{1.7,1.7}')) v (z);
-- h3: a space-time cube end to end with gi_star per time step: 8 × 8 cells
-- 100 m apart, 10 steps; a 3 × 3 block that heats up step by step (hot from
-- step 5 on: consecutive, 6 of 10), a block hot only in the last two steps
-- (consecutive), a block hot in every step but the last (there it falls below
-- the city mean: new cold spot), an ordinary cell (no pattern)
CREATE TEMP TABLE eh_cube AS
SELECT c, step, ST_MakePoint(100 * (c % 8), 100 * (c / 8)) AS geom,
       10 + (c * 7 + step * 3) % 5
       + CASE WHEN c % 8 < 3 AND c / 8 < 3 THEN 4 * step ELSE 0 END
       + CASE WHEN c % 8 >= 5 AND c / 8 >= 5 AND step >= 8 THEN 40 ELSE 0 END
       + CASE WHEN c % 8 >= 5 AND c / 8 < 3 AND step < 9 THEN 40 ELSE 0 END AS value
FROM generate_series(0, 63) c, generate_series(0, 9) step;
SELECT 'h3', c, (e).category, (e).hot_steps, (e).cold_steps
FROM (SELECT c, minqing.emerging_hotspot(array_agg(z ORDER BY step)) AS e
      FROM (SELECT c, step, minqing.gi_star(value, geom, 150) OVER (PARTITION BY step) AS z FROM eh_cube) g
      GROUP BY c) q
WHERE c IN (9, 54, 14, 36) ORDER BY c;
SELECT 'h4', (e).category, count(*)
FROM (SELECT c, minqing.emerging_hotspot(array_agg(z ORDER BY step)) AS e
      FROM (SELECT c, step, minqing.gi_star(value, geom, 150) OVER (PARTITION BY step) AS z FROM eh_cube) g
      GROUP BY c) q
GROUP BY 2 ORDER BY 2;
SELECT 'e22', minqing.emerging_hotspot('{}'::float8[]);
SELECT 'e23', minqing.emerging_hotspot('{1,NaN}'::float8[]);
SELECT 'e24', minqing.emerging_hotspot('{1,2}'::float8[], 1.5);
SELECT 'e25', minqing.emerging_hotspot('{{1,2},{3,4}}'::float8[]);
SELECT 'e26', minqing.emerging_hotspot(NULL) IS NULL;

SET TimeZone = 'Asia/Shanghai';
-- alarm_list on a small generated city (20,000 orders): the planted e-bike
-- charging surge (3 communities from 2025-09-08) is in the list on its first
-- or second day
SELECT 'a0', minqing.generate_city('warning_city', 20000, 42);
SELECT 'a1', d.as_of, count(*) FILTER (WHERE a.unit_code = ANY (p.unit_codes) AND a.category_code = p.category_code) AS surge_units,
       min(a.alarm_since) FILTER (WHERE a.unit_code = ANY (p.unit_codes) AND a.category_code = p.category_code) AS since,
       bool_and(a.observed > a.threshold AND a.ears_method = 'C2') AS consistent
FROM warning_city.planted p
CROSS JOIN LATERAL (VALUES (p.start_date), (p.start_date + 1)) d (as_of)
CROSS JOIN LATERAL minqing.alarm_list('warning_city.work_order', 5, d.as_of, 'C2', units => 'warning_city.admin_unit') a
WHERE p.kind = 'surge'
GROUP BY d.as_of ORDER BY d.as_of;
-- a2: names, categories and levels; a street-level list (level 4) also has the surge
SELECT 'a2', a.unit_code, a.unit_name, a.category_code, a.category_name, a.category_name_en, a.observed, a.alarm_since
FROM minqing.alarm_list('warning_city.work_order', 4, '2025-09-09', 'C2', 'warning_city.admin_unit') a
WHERE a.category_code = 'ebike_charging';
-- a3: the daily materialized view recipe
CREATE MATERIALIZED VIEW warning_alarms AS
SELECT * FROM minqing.alarm_list('warning_city.work_order', 5, DATE '2025-09-09', 'C2', 'warning_city.admin_unit');
REFRESH MATERIALIZED VIEW warning_alarms;
SELECT 'a3', count(*) > 0 AS has_rows, count(*) = count(DISTINCT (unit_code, category_code)) AS one_row_per_pair FROM warning_alarms;
-- a4: a day without orders before it: empty list
SELECT 'a4', count(*) FROM minqing.alarm_list('warning_city.work_order', 5, DATE '2000-01-01', units => 'warning_city.admin_unit');
SELECT 'e20', * FROM minqing.alarm_list('warning_city.work_order', 7, DATE '2025-09-09');
SELECT 'e21', * FROM minqing.alarm_list('warning_city.work_order', 5, DATE '2025-09-09', 'C9');
SET client_min_messages = warning;
DROP MATERIALIZED VIEW warning_alarms;
DROP SCHEMA warning_city CASCADE;
