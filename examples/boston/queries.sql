-- examples/boston/queries.sql — the worked example of the README on Boston's
-- 311 requests of 2015 (loaded by examples/boston/load.sh into :schema).
--   psql -v schema=boston -f examples/boston/queries.sql
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'America/New_York';
SET search_path = :"schema", public;
\pset footer off

\echo '== 1. Neighbourhoods: orders per 1,000 residents, SLA (responded) and closure (resolved) rates, kpi score'
SELECT a.name AS neighbourhood, (k).orders,
       round(((k).orders / a.population * 1000)::numeric, 1) AS per_1k,
       round((100 * (k).response_rate)::numeric, 1) AS on_time_pct,
       round((100 * (k).resolution_rate)::numeric, 1) AS closed_pct,
       round((k).score::numeric, 1) AS score,
       rank() OVER (ORDER BY (k).score DESC) AS rank
FROM (SELECT minqing.admin_ancestor(unit_code, 3) AS code, minqing.kpi(responded, resolved, satisfied) AS k
      FROM work_order WHERE unit_code IS NOT NULL GROUP BY 1) s
JOIN admin_unit a USING (code)
ORDER BY rank;

\echo '== 2. On-time rate with a 95% Wilson interval: the five best and worst neighbourhoods'
(SELECT a.name AS neighbourhood, (r).n, round((100 * (r).p)::numeric, 1) AS on_time_pct,
        round((100 * (r).lo)::numeric, 1) AS lo, round((100 * (r).hi)::numeric, 1) AS hi
 FROM (SELECT minqing.admin_ancestor(unit_code, 3) AS code, minqing.rate(responded) AS r
       FROM work_order WHERE unit_code IS NOT NULL GROUP BY 1) s JOIN admin_unit a USING (code)
 ORDER BY (r).p DESC LIMIT 5)
UNION ALL
(SELECT a.name, (r).n, round((100 * (r).p)::numeric, 1), round((100 * (r).lo)::numeric, 1), round((100 * (r).hi)::numeric, 1)
 FROM (SELECT minqing.admin_ancestor(unit_code, 3) AS code, minqing.rate(responded) AS r
       FROM work_order WHERE unit_code IS NOT NULL GROUP BY 1) s JOIN admin_unit a USING (code)
 ORDER BY (r).p LIMIT 5);

SELECT count(*) > 0 AS has_index FROM pg_proc WHERE proname = 'sentiment_index' AND pronamespace = 'minqing'::regnamespace \gset
\if :has_index
\echo '== 3. The sentiment index of the neighbourhoods, 2015 (shrunk score, 90% rank interval, quadrant)'
SELECT unit_name AS neighbourhood, orders, round(complaints_per_10k::numeric, 0) AS per_10k,
       round(score::numeric, 1) AS score, rank, rank_lo || '–' || rank_hi AS rank_90, quadrant
FROM minqing.sentiment_index(format('%I.work_order', :'schema')::regclass, 3,
                             '2015-01-01 00:00 America/New_York', '2016-01-01 00:00 America/New_York',
                             NULL, format('%I.admin_unit', :'schema')::regclass)
ORDER BY rank;
\endif

\echo '== 4. Hotspots: Getis-Ord Gi* of orders per 500 m cell (EPSG:26986, neighbours within 750 m), top 10 hot cells'
CREATE TEMP TABLE cells AS
SELECT floor(ST_X(p) / 500)::int AS i, floor(ST_Y(p) / 500)::int AS j, count(*) AS orders
FROM (SELECT ST_Transform(geom, 26986) AS p FROM work_order WHERE geom IS NOT NULL) q GROUP BY 1, 2;
CREATE TEMP TABLE hot AS
SELECT i, j, orders, (h).z, (h).p, (h).bin, ST_Transform(ST_SetSRID(ST_MakePoint(i * 500 + 250, j * 500 + 250), 26986), 4326) AS center
FROM (SELECT c.*, minqing.hotspot(orders::float8, ST_SetSRID(ST_MakePoint(i * 500 + 250, j * 500 + 250), 26986), 750) OVER () AS h
      FROM cells c) s;
SELECT count(*) AS cells, count(*) FILTER (WHERE bin = 3) AS hot_99, count(*) FILTER (WHERE bin = 2) AS hot_95,
       count(*) FILTER (WHERE bin <= -2) AS cold_95 FROM hot;
SELECT h.orders, round(h.z::numeric, 2) AS z, h.bin, a.name AS neighbourhood,
       round(ST_Y(h.center)::numeric, 4) AS lat, round(ST_X(h.center)::numeric, 4) AS lon
FROM hot h LEFT JOIN admin_unit a ON a.level = 3 AND ST_Intersects(a.geom, h.center)
WHERE h.bin = 3 ORDER BY h.z DESC LIMIT 10;

SELECT count(*) > 0 AS has_kde FROM pg_proc WHERE proname = 'kde' AND pronamespace = 'minqing'::regnamespace \gset
\if :has_kde
\echo '== 4b. Density: quartic KDE (250 m cells, bandwidth 750 m, EPSG:26986), the five densest cells, orders per km2'
SELECT round(c.value * 1e6)::int AS orders_per_km2, a.name AS neighbourhood,
       round(ST_Y(ST_Transform(ST_Centroid(c.geom), 4326))::numeric, 4) AS lat,
       round(ST_X(ST_Transform(ST_Centroid(c.geom), 4326))::numeric, 4) AS lon
FROM (SELECT minqing.kde(ST_Transform(geom, 26986), 250, 750) AS g FROM work_order WHERE geom IS NOT NULL) k,
     minqing.grid_cells(k.g) c
LEFT JOIN admin_unit a ON a.level = 3 AND ST_Intersects(a.geom, ST_Transform(ST_Centroid(c.geom), 4326))
ORDER BY c.value DESC LIMIT 5;
\endif

\echo '== 5. The January-February 2015 snowstorms: weekly orders (all requests and snow requests)'
SELECT date_trunc('week', created_at)::date AS week, count(*) AS orders,
       count(*) FILTER (WHERE type ILIKE '%snow%' OR type ILIKE '%shovel%') AS snow_orders,
       repeat('#', (count(*) / 50)::int) AS bar
FROM work_order WHERE created_at < '2015-04-06' GROUP BY 1 ORDER BY 1;

\echo '== 6. Resilience: daily orders 2015-01-05 .. 03-15 around the storms (Juno 2015-01-26 .. the 2015-02-15 storm; baseline 01-05 .. 01-25)'
SELECT (r).* FROM (
	SELECT minqing.resilience(d::date, coalesce(n, 0), '2015-01-26', '2015-02-15') AS r
	FROM generate_series(date '2015-01-05', date '2015-03-15', interval '1 day') d
	LEFT JOIN (SELECT created_at::date AS day, count(*)::float8 AS n FROM work_order GROUP BY 1) c ON c.day = d::date) s;
\echo '   the same for the snow requests alone'
SELECT (r).* FROM (
	SELECT minqing.resilience(d::date, coalesce(n, 0), '2015-01-26', '2015-02-15') AS r
	FROM generate_series(date '2015-01-05', date '2015-03-15', interval '1 day') d
	LEFT JOIN (SELECT created_at::date AS day, count(*)::float8 AS n FROM work_order
	           WHERE type ILIKE '%snow%' OR type ILIKE '%shovel%' GROUP BY 1) c ON c.day = d::date) s;

SELECT count(*) > 0 AS has_st_dbscan FROM pg_proc WHERE proname = 'st_dbscan' AND pronamespace = 'minqing'::regnamespace \gset
\if :has_st_dbscan
\echo '== 7. Duplicates: requests Boston closed as duplicates, and the st_dbscan incidents (same type, minpoints 2) that contain them'
SELECT e.eps AS eps_m, e.eps_time, count(*) FILTER (WHERE dup) AS closed_as_duplicate,
       count(*) FILTER (WHERE dup AND located) AS with_location,
       count(*) FILTER (WHERE dup AND c IS NOT NULL) AS in_an_incident,
       round(100.0 * count(*) FILTER (WHERE dup AND c IS NOT NULL) / nullif(count(*) FILTER (WHERE dup AND located), 0), 1) AS pct,
       count(DISTINCT (type, c)) FILTER (WHERE dup AND c IS NOT NULL) AS incidents_with_a_duplicate,
       count(DISTINCT (type, c)) FILTER (WHERE c IS NOT NULL) AS incidents
FROM (VALUES (50, interval '1 day'), (100, '3 days'), (200, '7 days'), (500, '14 days')) e(eps, eps_time)
CROSS JOIN LATERAL (
	SELECT coalesce(closure_reason ILIKE '%duplicate%', false) AS dup, geom IS NOT NULL AS located, type,
	       minqing.st_dbscan(geom, created_at, e.eps, e.eps_time, 2) OVER (PARTITION BY type) AS c
	FROM work_order) s
GROUP BY 1, 2 ORDER BY 1;
\endif
