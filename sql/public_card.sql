-- public card 明白卡 (SPEC §13), tagged c1..: rows of a street, a community
-- with grids, a unit with 3 orders and a unit below k everywhere, the
-- publication rules (counts, rates, bands), the HTML page, and bad input.
-- The fixture is test/pgtap/public_card_fixture.psql (copied here).
SET client_min_messages = warning;
\set SHOW_CONTEXT never
\pset null '∅'
-- A hand-made city for the public card (sql/public_card.sql has the same
-- rows): schema pc with admin_unit (3 streets, 6 communities, 3 grids) and
-- work_order for 2025 Q2 and Q3 (Asia/Shanghai), with planted caller ids and
-- complaint text that no card may show.
--   street 990101001000 甲街道 Alpha: community 001 (3 grids, ~90 orders a
--     quarter, a rare category heating: 3), 002 (3 orders: the small unit),
--     003 (12 orders)
--   street 990101002000 乙街道 Beta, 990101003000 丙街道 Gamma: comparison
--   street 990101004000 丁街道 Delta: 4 orders in all (below k everywhere)
CREATE SCHEMA pc;
CREATE TABLE pc.admin_unit (code text PRIMARY KEY, name text, level int, parent_code text, population float8,
                            geom geometry(MultiPolygon, 4326));
INSERT INTO pc.admin_unit
SELECT code, name, level, parent_code, population,
       ST_Multi(ST_MakeEnvelope(x0, y0, x0 + w, y0 + h, 4326))
FROM (VALUES
	('990100000000', '示范市 Demo City', 2, NULL, 100000.0, 120.0, 30.0, 0.4, 0.1),
	('990101000000', '中区 Central', 3, '990100000000', 100000.0, 120.0, 30.0, 0.4, 0.1),
	('990101001000', '甲街道 Alpha', 4, '990101000000', 30000.0, 120.0, 30.0, 0.1, 0.1),
	('990101002000', '乙街道 Beta', 4, '990101000000', 30000.0, 120.1, 30.0, 0.1, 0.1),
	('990101003000', '丙街道 Gamma', 4, '990101000000', 30000.0, 120.2, 30.0, 0.1, 0.1),
	('990101004000', '丁街道 Delta', 4, '990101000000', 10000.0, 120.3, 30.0, 0.1, 0.1),
	('990101001001', '甲一社区 Alpha 1', 5, '990101001000', 12000.0, 120.0, 30.0, 0.1, 0.05),
	('990101001002', '甲二社区 Alpha 2', 5, '990101001000', 8000.0, 120.0, 30.05, 0.05, 0.05),
	('990101001003', '甲三社区 Alpha 3', 5, '990101001000', 10000.0, 120.05, 30.05, 0.05, 0.05),
	('990101002001', '乙一社区 Beta 1', 5, '990101002000', 15000.0, 120.1, 30.0, 0.1, 0.05),
	('990101002002', '乙二社区 Beta 2', 5, '990101002000', 15000.0, 120.1, 30.05, 0.1, 0.05),
	('990101003001', '丙一社区 Gamma 1', 5, '990101003000', 30000.0, 120.2, 30.0, 0.1, 0.1),
	('990101004001', '丁一社区 Delta 1', 5, '990101004000', 10000.0, 120.3, 30.0, 0.1, 0.1),
	('990101001001001', '甲一第1网格 Grid 1', 6, '990101001001', 4000.0, 120.0, 30.0, 0.0333, 0.05),
	('990101001001002', '甲一第2网格 Grid 2', 6, '990101001001', 4000.0, 120.0333, 30.0, 0.0333, 0.05),
	('990101001001003', '甲一第3网格 Grid 3', 6, '990101001001', 4000.0, 120.0666, 30.0, 0.0334, 0.05))
	AS v(code, name, level, parent_code, population, x0, y0, w, h);

-- orders per (unit, quarter, category): n orders, spread over the quarter;
-- responded 9 in 10, resolved 3 in 4, satisfied 4 in 5 (by order number)
CREATE TABLE pc.work_order AS
SELECT row_number() OVER (ORDER BY s.unit, s.q, s.cat, i)::bigint AS id,
       s.q + ((i * 37) % 88 || ' days')::interval + ((i * 5) % 24 || ' hours')::interval AS created_at,
       s.cat AS category_code,
       CASE WHEN s.unit = '990101001001' THEN s.unit || lpad((1 + i % 3)::text, 3, '0') ELSE s.unit END AS unit_code,
       ST_SetSRID(ST_Point(120.0123 + i * 0.00017, 30.0211 + i * 0.00013), 4326) AS geom,
       i % 10 <> 0 AS responded, i % 4 <> 0 AS resolved, i % 5 <> 0 AS satisfied,
       s.q + ((i * 37) % 88 + 3 || ' days')::interval AS closed_at,
       CASE WHEN i = 1 THEN 'PLANTED13800138000' ELSE 'caller-' || md5(s.unit || s.cat || i) END AS caller_id,
       '12345 hotline'::text AS department, 'phone'::text AS channel,
       CASE WHEN i = 2 THEN '王秘密 lives at Plum Lane 7 and the xyzzyplugh pump is broken'
            ELSE 'complaint number ' || i END AS content
FROM (VALUES
	('990101001001', timestamptz '2025-07-01 00:00+08', 'noise', 40), ('990101001001', '2025-07-01 00:00+08', 'parking', 25),
	('990101001001', '2025-07-01 00:00+08', 'water_supply', 12), ('990101001001', '2025-07-01 00:00+08', 'heating', 3),
	('990101001001', '2025-07-01 00:00+08', 'garbage', 7),
	('990101001001', '2025-04-01 00:00+08', 'noise', 20), ('990101001001', '2025-04-01 00:00+08', 'parking', 26),
	('990101001001', '2025-04-01 00:00+08', 'water_supply', 4), ('990101001001', '2025-04-01 00:00+08', 'garbage', 15),
	('990101001002', '2025-07-01 00:00+08', 'parking', 3),
	('990101001003', '2025-07-01 00:00+08', 'noise', 12), ('990101001003', '2025-04-01 00:00+08', 'noise', 9),
	('990101002001', '2025-07-01 00:00+08', 'noise', 30), ('990101002001', '2025-07-01 00:00+08', 'water_supply', 30),
	('990101002001', '2025-04-01 00:00+08', 'noise', 25), ('990101002001', '2025-04-01 00:00+08', 'water_supply', 25),
	('990101002002', '2025-07-01 00:00+08', 'garbage', 20), ('990101002002', '2025-04-01 00:00+08', 'garbage', 22),
	('990101003001', '2025-07-01 00:00+08', 'parking', 50), ('990101003001', '2025-04-01 00:00+08', 'parking', 40),
	('990101004001', '2025-07-01 00:00+08', 'noise', 4)) AS s(unit, q, cat, n)
CROSS JOIN LATERAL generate_series(1, s.n) i;
ANALYZE pc.work_order;
-- the publication rules: counts under k suppressed, else rounded to 5
SELECT 'c1', n, minqing.public_card_count(n, 10) FROM unnest(ARRAY[0, 3, 9, 10, 12, 13, 17, 18, 102, 1237]::bigint[]) n;
-- rates: exact when both parts >= k; bounds from the rounded n; suppressed
SELECT 'c2', x, n, r.* FROM (VALUES (80, 100), (95, 100), (5, 100), (8, 12), (3, 9), (0, 0), (12, 20), (10, 20), (9, 18), (991, 1000), (10, 12), (2, 12), (11, 22))
	v(x, n), minqing.public_card_rate(x, n, 10) r;
SELECT 'c3', s, minqing.public_card_band(s) FROM unnest(ARRAY[0, 29.9, 30, 44.9, 45, 54.9, 55, 69.9, 70, 100]::float8[]) s;
SELECT 'c4', minqing.public_card_zone();
-- a street: index, orders, rates, top concerns, changes, its communities on the map
SELECT 'c5', section, position, item, label_zh, label_en, value, value_kind, suppressed
FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
SELECT 'c6', section, item, text_zh, text_en
FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
-- a community with grids (the map shows the grids; each has under k orders
-- of some kinds, none of them is listed)
SELECT 'c7', section, position, item, value, value_kind, suppressed, text_en
FROM minqing.public_card('pc.work_order', '990101001001', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
-- the unit with 3 orders: a card that says so and shows no number
SELECT 'c8', section, position, item, value, value_kind, suppressed, text_zh, text_en
FROM minqing.public_card('pc.work_order', '990101001002', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
-- a street below k everywhere (4 orders): its card and its map
SELECT 'c9', section, position, item, value, suppressed, text_en
FROM minqing.public_card('pc.work_order', '990101004000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
-- a larger k suppresses more; a quarter without orders says so too
SELECT 'c10', section, item, value, value_kind, suppressed
FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit', k => 30)
WHERE section IN ('orders', 'rates', 'concerns', 'map');
SELECT 'c11', count(*), count(*) FILTER (WHERE value IS NOT NULL AND section NOT IN ('privacy'))
FROM minqing.public_card('pc.work_order', '990101001000', '2024-01-01 00:00+08', '2024-04-01 00:00+08', 'pc.admin_unit');
-- the HTML page: complete, self-contained, bilingual, the map by band
SELECT 'c12', h LIKE '<!DOCTYPE html>%' AND h LIKE '%</html>' || E'\n' AS complete,
       h !~* '<script|<img|<link|<iframe|src=|href=|url\(|@import|https?:' AS self_contained,
       h LIKE '%民情明白卡%' AND h LIKE '%Public card of%' AS bilingual,
       (length(h) - length(replace(h, '<path ', ''))) / length('<path ') AS paths,
       h LIKE '%fill="#d73027"%' AND h LIKE '%fill="#c8c8c8"%' AS poor_and_grey,
       h !~ '<circle' AS no_points
FROM minqing.public_card_html('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit') h;
SELECT 'c13', h LIKE '%为保护来电群众的隐私，本卡不公布任何数字%' AND h LIKE '%this card shows no numbers%'
FROM minqing.public_card_html('pc.work_order', '990101001002', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit') h;
-- escaping: a unit name with markup is shown as text
UPDATE pc.admin_unit SET name = '<b>Bold & "quoted"</b>' WHERE code = '990101001003';
SELECT 'c14', h LIKE '%&lt;b&gt;Bold &amp; &quot;quoted&quot;&lt;/b&gt;%' AND h NOT LIKE '%<b>Bold%'
FROM minqing.public_card_html('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit') h;
-- units without geom: the card still renders, the map is the list only
CREATE TABLE pc.units_nogeom AS SELECT code, name, level, parent_code, population FROM pc.admin_unit;
SELECT 'c15', h NOT LIKE '%<svg%' AND h LIKE '%<ol class="areas">%'
FROM minqing.public_card_html('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.units_nogeom') h;
-- bad input: unknown unit, grid, malformed code, periods, k, NULL, columns
SELECT 'c16', count(*) FROM minqing.public_card('pc.work_order', '990101009000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
SELECT 'c17', count(*) FROM minqing.public_card('pc.work_order', '990101001001001', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
SELECT 'c18', count(*) FROM minqing.public_card('pc.work_order', '99010100100', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
SELECT 'c19', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-08-01 00:00+08', 'pc.admin_unit');
SELECT 'c20', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+00', '2025-10-01 00:00+00', 'pc.admin_unit');
SELECT 'c21', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-08-01 00:00+08', '2025-11-01 00:00+08', 'pc.admin_unit');
SELECT 'c22', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2026-01-01 00:00+08', 'pc.admin_unit');
SELECT 'c23', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-10-01 00:00+08', '2025-07-01 00:00+08', 'pc.admin_unit');
SELECT 'c24', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '-infinity', '2025-07-01 00:00+08', 'pc.admin_unit');
SELECT 'c25', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2999-01-01 00:00+08', '2999-04-01 00:00+08', 'pc.admin_unit');
SELECT 'c26', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit', 3);
SELECT 'c27', count(*) FROM minqing.public_card('pc.work_order', NULL, '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
SELECT 'c28', count(*) FROM minqing.public_card('pc.units_nogeom', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit');
SELECT 'c29', count(*) FROM minqing.public_card('pc.work_order', '990101001000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.work_order');
SELECT 'c30', length(minqing.public_card_html('pc.work_order', '990101009000', '2025-07-01 00:00+08', '2025-10-01 00:00+08', 'pc.admin_unit'));
DROP SCHEMA pc CASCADE;
