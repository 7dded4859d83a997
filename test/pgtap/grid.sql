-- pgTAP: the grid level (网格, SPEC §13) of the generated city — level-6 units
-- that tile their communities, orders carrying grid codes, and the planted
-- grid problem (src/generate_grid.c) found at level 6 and diluted at level 5.
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE gu AS
SELECT code, name, level, parent_code, population, xmin AS x_min, ymin AS y_min, xmax AS x_max, ymax AS y_max
FROM minqing.generate_city_units();
SELECT ok((SELECT bool_and(n BETWEEN 4 AND 9) FROM (SELECT parent_code, count(*) AS n FROM gu WHERE level = 6 GROUP BY 1) s)
          AND (SELECT count(DISTINCT parent_code) FROM gu WHERE level = 6) = (SELECT count(*) FROM gu WHERE level = 5),
          'generate_city_units(): every community is split into 4 to 9 grids');
SELECT is((SELECT count(*) FROM gu g JOIN gu c ON c.code = g.parent_code
           WHERE g.level = 6 AND (minqing.admin_level(g.code) <> 6 OR minqing.admin_ancestor(g.code, 5) <> c.code)), 0::bigint,
          'generate_city_units(): grid codes are level 6 and their community is their parent');
SELECT is((SELECT count(*) FROM gu c JOIN (SELECT parent_code, sum(population) AS p, min(x_min) AS x0, max(x_max) AS x1,
                                                  min(y_min) AS y0, max(y_max) AS y1, sum((x_max - x_min) * (y_max - y_min)) AS area
                                           FROM gu WHERE level = 6 GROUP BY 1) g ON g.parent_code = c.code
           WHERE c.level = 5 AND (g.p <> c.population OR abs(g.x0 - c.x_min) > 1e-12 OR abs(g.x1 - c.x_max) > 1e-12
                                  OR abs(g.y0 - c.y_min) > 1e-12 OR abs(g.y1 - c.y_max) > 1e-12
                                  OR abs(g.area - (c.x_max - c.x_min) * (c.y_max - c.y_min)) > 1e-12)), 0::bigint,
          'generate_city_units(): the grids tile their community and their populations add up to it');

SELECT minqing.generate_city('grid_city', 20000, 42) > 0 AS generated \gset
SELECT is((SELECT count(*) FROM grid_city.work_order o LEFT JOIN grid_city.admin_unit a ON a.code = o.unit_code
           WHERE a.level IS DISTINCT FROM 6 OR NOT ST_Intersects(a.geom, o.geom)), 0::bigint,
          'generate_city(): every order carries the code of the grid its point lies in');
SELECT is((SELECT unit_codes[1] || ':' || category_code FROM grid_city.planted WHERE kind = 'grid_problem'),
          '990108002002005:noise', 'generate_city(): the planted grid problem is recorded in planted');

-- level 6 through the index and the alarms (SPEC §13: every level-taking function accepts 6)
SET TimeZone = 'Asia/Shanghai';
SELECT is((SELECT count(*) FROM minqing.sentiment_index('grid_city.work_order', 6, '2025-01-01', '2025-07-01',
                                                        units => 'grid_city.admin_unit')),
          (SELECT count(*) FROM grid_city.admin_unit WHERE level = 6),
          'sentiment_index(level 6): one row per grid of the city (2,759)');
SELECT ok((SELECT bool_and(minqing.admin_level(unit_code) IN (5, 6) AND minqing.admin_ancestor(unit_code, 5) = '990108002002')
                  AND count(*) FILTER (WHERE minqing.admin_level(unit_code) = 6) = 9
           FROM minqing.sentiment_index('grid_city.work_order', 5, '2025-01-01', '2025-07-01', parent_code => '990108002000',
                                        units => 'grid_city.admin_unit') WHERE unit_code LIKE '990108002002%'),
          'sentiment_index drill-down from a street reaches the nine grids of a community');
SELECT lives_ok($$SELECT * FROM minqing.alarm_list('grid_city.work_order', 6, DATE '2025-09-09', 'C2', 'grid_city.admin_unit')$$,
                'alarm_list(level 6) runs on grid codes');

-- the default 1M-order city, aggregated straight from the generator: noise
-- location quotients with Benjamini–Hochberg q among the units of a level
CREATE TEMP TABLE grid_lq AS
WITH o AS (SELECT unit_code, category_code = 'noise' AS noise FROM minqing.generate_city_orders(1000000, 42, 0, 1000000)),
lv AS (SELECT l.level, minqing.admin_ancestor(o.unit_code, l.level) AS u, count(*) AS n, count(*) FILTER (WHERE o.noise) AS k
       FROM o CROSS JOIN (VALUES (5), (6)) l (level) GROUP BY 1, 2),
t AS (SELECT level, sum(n) AS n, sum(k) AS k FROM lv GROUP BY 1),
lq AS (SELECT lv.level, lv.u, minqing.location_quotient(lv.k, lv.n, t.k, t.n) AS l FROM lv JOIN t USING (level))
SELECT level, u, (l).lq, (l).p, minqing.p_adjust_bh((l).p) OVER (PARTITION BY level) AS q FROM lq;
SELECT ok(q < 1e-6 AND lq > 2, 'level 6: the planted grid''s noise is significant (BH q < 1e-6, LQ > 2)')
FROM grid_lq WHERE level = 6 AND u = '990108002002005';
SELECT ok(q > 0.05 AND lq < 1.3, 'level 5: its community''s noise is not (BH q > 0.05, LQ < 1.3): diluted')
FROM grid_lq WHERE level = 5 AND u = '990108002002';

SELECT * FROM finish();
ROLLBACK;
