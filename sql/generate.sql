-- minqing.generate_city: shapes, determinism, planted truths, bad input (tagged g1..)
SET client_min_messages = warning;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 1;
SELECT 'g1', minqing.generate_city('gen_a', 20000, 42);
SELECT 'g2', minqing.generate_city('gen_b', 20000, 42);
SELECT 'g3', minqing.generate_city('gen_c', 20000, 43);
-- table shapes: the canonical work-order columns, in order
SELECT 'g4', table_name, string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
FROM information_schema.columns WHERE table_schema = 'gen_a' GROUP BY table_name ORDER BY table_name;
SELECT 'g5', format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'gen_a.work_order'::regclass AND attname = 'geom';
-- the city: 1 city, 8 districts, 48 streets, 432 communities; codes and parents consistent
SELECT 'g6', level, count(*), round(sum(population)) AS population,
       bool_and(minqing.admin_level(code) = level) AS levels_ok,
       bool_and(level = 2 OR minqing.admin_ancestor(code, level - 1) = parent_code) AS parents_ok
FROM gen_a.admin_unit GROUP BY level ORDER BY level;
-- the communities tile the city: no gaps, no overlaps
SELECT 'g7', abs(ST_Area(ST_Union(geom)) - (SELECT ST_Area(geom) FROM gen_a.admin_unit WHERE level = 2)) < 1e-9 AS covered,
       abs(sum(ST_Area(geom)) - (SELECT ST_Area(geom) FROM gen_a.admin_unit WHERE level = 2)) < 1e-9 AS no_overlap
FROM gen_a.admin_unit WHERE level = 5;
-- orders: counts, ids, dates, categories, points inside their community
SELECT 'g8', count(*), count(DISTINCT id), min(id), max(id),
       min(created_at) >= '2024-01-01 00:00+08' AND max(created_at) < '2026-01-01 00:00+08' AS two_years,
       bool_and(closed_at IS NULL OR closed_at > created_at) AS closed_after,
       count(*) FILTER (WHERE satisfied IS NULL) BETWEEN 4000 AND 6000 AS some_unsurveyed,
       count(DISTINCT caller_id) < count(*) AS repeat_callers
FROM gen_a.work_order;
SELECT 'g9', count(*) FILTER (WHERE c.code IS NULL OR c.tier IS NULL) AS unknown_categories,
       count(DISTINCT c.tier) AS tiers, count(DISTINCT w.category_code) >= 30 AS many_categories
FROM gen_a.work_order w LEFT JOIN minqing.category c ON c.code = w.category_code;
SELECT 'g10', count(*) FILTER (WHERE a.code IS NULL OR a.level <> 6) AS not_a_grid,
       count(*) FILTER (WHERE NOT ST_Intersects(a.geom, w.geom)) AS outside_grid,
       count(*) FILTER (WHERE ST_SRID(w.geom) <> 4326) AS wrong_srid
FROM gen_a.work_order w LEFT JOIN gen_a.admin_unit a ON a.code = w.unit_code;
-- determinism: same seed, same rows; another seed, other rows; fingerprint pins them across machines
SELECT 'g11', (SELECT count(*) FROM (SELECT * FROM gen_a.work_order EXCEPT SELECT * FROM gen_b.work_order) d) AS a_minus_b,
       (SELECT count(*) FROM (SELECT * FROM gen_b.work_order EXCEPT SELECT * FROM gen_a.work_order) d) AS b_minus_a,
       (SELECT count(*) FROM (SELECT * FROM gen_a.work_order EXCEPT SELECT * FROM gen_c.work_order) d) > 19000 AS seed_differs;
-- (the base columns: unchanged since content was added from its own random stream)
SELECT 'g12', md5(string_agg((w.id, w.created_at, w.category_code, w.unit_code, w.geom, w.responded, w.resolved,
                              w.satisfied, w.closed_at, w.caller_id, w.department, w.channel)::text, E'\n' ORDER BY id))
FROM gen_a.work_order w;
SELECT 'g12t', md5(string_agg(content, E'\n' ORDER BY id)), count(*) FILTER (WHERE content IS NULL OR content = '') AS empty
FROM gen_a.work_order w;
SELECT 'g13', md5(string_agg(p::text, E'\n' ORDER BY id)) FROM gen_a.planted p;
SELECT 'g14', (SELECT md5(string_agg(a::text, E'\n' ORDER BY code)) FROM gen_a.admin_unit a)
            = (SELECT md5(string_agg(c::text, E'\n' ORDER BY code)) FROM gen_c.admin_unit c) AS same_geography;
-- chunking does not matter: row i depends only on (orders, seed, i)
SELECT 'g15', count(*) FROM (
	SELECT * FROM minqing.generate_city_orders(20000, 42, 0, 20000)
	EXCEPT ALL
	(SELECT * FROM minqing.generate_city_orders(20000, 42, 0, 7001)
	 UNION ALL SELECT * FROM minqing.generate_city_orders(20000, 42, 7001, 12999))) d;
-- weekly cycle: weekdays busier than weekends (per day)
SELECT 'g16', round(avg(n) FILTER (WHERE dow < 6) / avg(n) FILTER (WHERE dow >= 6), 1) BETWEEN 1.3 AND 1.7 AS weekly_cycle
FROM (SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS d,
             extract(isodow FROM created_at AT TIME ZONE 'Asia/Shanghai') AS dow, count(*) AS n
      FROM gen_a.work_order GROUP BY 1, 2) s;
-- yearly cycle: heating in winter, noise and greening in summer
SELECT 'g17', count(*) FILTER (WHERE category_code = 'heating' AND m IN (12, 1))
              > 5 * count(*) FILTER (WHERE category_code = 'heating' AND m IN (6, 7)) AS heating_winter,
              count(*) FILTER (WHERE category_code IN ('noise', 'greening') AND m IN (6, 7))
              > 1.5 * count(*) FILTER (WHERE category_code IN ('noise', 'greening') AND m IN (12, 1)) AS summer
FROM (SELECT category_code, extract(month FROM created_at AT TIME ZONE 'Asia/Shanghai') AS m FROM gen_a.work_order) s;
-- bad streets are worse than every other street on all three rates
WITH s AS (
	SELECT minqing.admin_ancestor(unit_code, 4) AS street, minqing.kpi(responded, resolved, satisfied) AS k
	FROM gen_a.work_order GROUP BY 1),
b AS (SELECT unnest(unit_codes) AS street FROM gen_a.planted WHERE kind = 'bad_street')
SELECT 'g18', count(*) FILTER (WHERE b.street IS NOT NULL) AS bad_streets,
       max((k).score) FILTER (WHERE b.street IS NOT NULL) < min((k).score) FILTER (WHERE b.street IS NULL) AS score_worse,
       max((k).resolution_rate) FILTER (WHERE b.street IS NOT NULL) < min((k).resolution_rate) FILTER (WHERE b.street IS NULL) AS resolution_worse,
       max((k).satisfaction_rate) FILTER (WHERE b.street IS NOT NULL) < min((k).satisfaction_rate) FILTER (WHERE b.street IS NULL) AS satisfaction_worse
FROM s LEFT JOIN b USING (street);
-- planted truths
SELECT 'g19', id, kind, label, cardinality(unit_codes) AS units, category_code, start_date, end_date,
       round(effect::numeric, 2) AS effect, GeometryType(geom), radius_m
FROM gen_a.planted ORDER BY id;
-- hotspot orders lie within their radius; the surge's first day is in the data
SELECT 'g20', p.label, count(*) >= p.effect AS orders_in_disk
FROM gen_a.planted p JOIN gen_a.work_order w
  ON ST_DWithin(w.geom::geography, p.geom::geography, p.radius_m) AND w.category_code IN (SELECT jsonb_object_keys(p.details -> 'categories'))
WHERE p.kind = 'hotspot' GROUP BY p.label, p.effect, p.id ORDER BY p.id;
SELECT 'g21', (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*)
FROM gen_a.work_order w JOIN gen_a.planted p ON p.kind = 'surge' AND minqing.admin_ancestor(w.unit_code, 5) = ANY (p.unit_codes)
WHERE w.category_code = 'ebike_charging' AND created_at >= '2025-09-06 00:00+08' AND created_at < '2025-09-11 00:00+08'
GROUP BY 2 ORDER BY 2;
-- the small community: few orders, perfect outcomes
SELECT 'g22', (k).orders = p.effect AS planted_count, (k).response_rate, (k).resolution_rate, (k).satisfaction_rate
FROM gen_a.planted p,
     LATERAL (SELECT minqing.kpi(responded, resolved, satisfied) AS k FROM gen_a.work_order w WHERE minqing.admin_ancestor(w.unit_code, 5) = ANY (p.unit_codes)) s
WHERE p.kind = 'small_community';
-- indexes and statistics
SELECT 'g23', indexdef FROM pg_indexes WHERE schemaname = 'gen_a' AND tablename = 'work_order' ORDER BY indexname;
SELECT 'g24', (SELECT reltuples FROM pg_class WHERE oid = 'gen_a.work_order'::regclass) = 20000 AS analyzed;
-- a tiny city still works; an odd schema name is quoted safely
SELECT 'g25', minqing.generate_city('Odd "name"; DROP TABLE x', 1, 1);
SELECT 'g26', count(*) FROM "Odd ""name""; DROP TABLE x".work_order;
DROP SCHEMA "Odd ""name""; DROP TABLE x" CASCADE;
-- bad input
SELECT 'e1', minqing.generate_city('gen_e', 0);
SELECT 'e2', minqing.generate_city('gen_e', -5);
SELECT 'e3', minqing.generate_city('gen_e', 100000001);
SELECT 'e4', minqing.generate_city(NULL, 1000);
SELECT 'e5', minqing.generate_city('gen_e', NULL);
SELECT 'e6', minqing.generate_city('gen_e', 1000, NULL);
SELECT 'e7', minqing.generate_city('', 1000);
SELECT 'e8', minqing.generate_city(repeat('x', 64), 1000);
SELECT 'e9', minqing.generate_city('minqing', 1000);
SELECT 'e10', minqing.generate_city('pg_catalog', 1000);
SELECT 'e11', minqing.generate_city('gen_a', 1000);
SELECT 'e12', count(*) FROM pg_namespace WHERE nspname = 'gen_e';
SELECT 'e13', count(*) FROM minqing.generate_city_orders(100, 1, 90, 20);
DROP SCHEMA gen_a, gen_b, gen_c CASCADE;
