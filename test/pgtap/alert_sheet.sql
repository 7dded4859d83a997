-- pgTAP: the alert sheet (民情预警单, SPEC §13, docs/alert_sheet.md) on the
-- generated city's planted truths.  The fixture is the 2M-order city (seed 42;
-- at this size the e-bike surge adds 2 orders a day per community from its
-- first day) restricted to the units the tests read: the surge's street, the
-- street of a planted class case and the community of the planted KTV grid;
-- plus the surge's street of the calm city (events => false).
BEGIN;
SELECT plan(29);
SET LOCAL TimeZone = 'Asia/Shanghai';
SET LOCAL client_min_messages = warning;

CREATE TEMP TABLE su AS SELECT code, name, level, parent_code, population FROM minqing.generate_city_units();
CREATE TEMP TABLE sp AS SELECT * FROM minqing.generate_city_planted(2000000);
CREATE TEMP TABLE so AS
SELECT * FROM minqing.generate_city_orders(2000000, 42, 0, 2000000)
WHERE (unit_code LIKE '990104003%' OR unit_code LIKE '990102002%' OR unit_code LIKE '990108002002%')
  AND created_at >= '2024-06-01';
CREATE INDEX ON so (unit_code);
ANALYZE so;
CREATE TEMP TABLE so_calm AS
SELECT * FROM minqing.generate_city_orders(2000000, 42, 0, 2000000, false)
WHERE unit_code LIKE '990104003%' AND created_at >= '2024-06-01';

-- 1-5. the surge's street: first on the morning of the surge's second day
SELECT is((SELECT minqing.admin_ancestor(unit_codes[1], 4) || ' ' || start_date FROM sp WHERE kind = 'surge'),
          '990104003000 2025-09-08', 'the planted surge: street 990104003000 from 2025-09-08');
CREATE TEMP TABLE s0909 AS SELECT * FROM minqing.alert_sheet('so', '990104003000', '2025-09-09', 'su');
SELECT is((SELECT kind || ' ' || category_code || ' ' || area_code || ' ' || since FROM s0909 WHERE urgency_rank = 1),
          'surge ebike_charging 990104003000 2025-09-08',
          'alert_sheet(): the street''s sheet on the surge''s second day (2025-09-09) lists the surge first, since its first day');
SELECT ok((SELECT observed > threshold AND excess_ratio > 5 AND department = '公安局 Public Security'
                  AND department_source = 'mapping' AND evidence_orders = observed AND example_text LIKE '%充电%'
           FROM s0909 WHERE urgency_rank = 1),
          'alert_sheet(): the surge item: above its threshold, the mapped department, its orders as evidence, an example complaint');
SELECT is((SELECT kind || ' ' || category_code FROM minqing.alert_sheet('so', '990104003000', '2025-09-12', 'su') WHERE urgency_rank = 1),
          'surge ebike_charging', 'alert_sheet(): still first on the fifth day (a running event stays on the sheet)');
SELECT is((SELECT count(*) FROM minqing.alert_sheet('so', '990104003000', '2025-09-08', 'su') WHERE category_code = 'ebike_charging'),
          0::bigint, 'alert_sheet(): the morning of the first day does not see the surge yet (orders before as_of 00:00)');
-- 6. the surges are the 'auto' alarms of the unit and its children: those raised on as_of - 1 equal alarm_list's
SELECT set_eq($$SELECT area_code, category_code FROM minqing.alert_sheet('so', '990104003000', '2025-09-11', 'su')
                WHERE kind = 'surge' AND since = '2025-09-10'$$,
              $$SELECT unit_code, category_code FROM minqing.alarm_list('so', 4, '2025-09-10')
                WHERE unit_code = '990104003000'
                UNION ALL
                SELECT unit_code, category_code FROM minqing.alarm_list('so', 5, '2025-09-10')
                WHERE unit_code LIKE '990104003%'$$,
              'alert_sheet(): surges raised yesterday = alarm_list(…, ''auto'') of yesterday for the unit and its communities');

-- 7-9. a planted class case on its community's and street's sheets
CREATE TEMP TABLE cc_truth AS SELECT * FROM sp WHERE kind = 'class_case' AND unit_codes[1] LIKE '990102002%';
SELECT is((SELECT count(*) FROM cc_truth), 1::bigint, 'one planted class case in street 990102002000');
SELECT ok((SELECT bool_or(s.kind = 'class_case' AND s.category_code = t.category_code AND s.area_code LIKE t.unit_codes[1] || '%'
                          AND ST_DWithin(ST_Point(s.place_lon, s.place_lat, 4326)::geography, ST_GeomFromText(t.geom_wkt, 4326)::geography, 50)
                          AND s.since <= t.end_date AND s.last_day = t.end_date)
           FROM cc_truth t, minqing.alert_sheet('so', t.unit_codes[1], t.end_date + 1, 'su') s),
          'alert_sheet(): the planted class case is on its community''s sheet the morning after its last incident, at its place');
SELECT ok((SELECT bool_or(s.kind = 'class_case' AND s.category_code = t.category_code)
           FROM cc_truth t, minqing.alert_sheet('so', minqing.admin_ancestor(t.unit_codes[1], 4), t.end_date + 1, 'su') s),
          'alert_sheet(): and on its street''s sheet');

-- 10-12. the KTV grid: a persistent noise excess, on the community's sheet and on the grid's own sheet
SELECT is((SELECT unit_codes[1] FROM sp WHERE kind = 'grid_problem'), '990108002002005', 'the planted KTV grid');
SELECT ok((SELECT bool_or(kind = 'persistent' AND category_code = 'noise' AND area_code = '990108002002005' AND excess_ratio > 2)
           FROM minqing.alert_sheet('so', '990108002002', '2025-09-09', 'su')),
          'alert_sheet(): the community''s sheet names the KTV grid''s noise (persistent, more than twice the community''s share)');
SELECT ok((SELECT bool_or(kind = 'persistent' AND category_code = 'noise' AND area_code = '990108002002005')
           FROM minqing.alert_sheet('so', '990108002002005', '2025-09-09', 'su')),
          'alert_sheet(): the grid''s own sheet too (against its community''s share)');

-- 13-14. the calm city: a short sheet, no surge
SELECT ok((SELECT count(*) <= 3 AND count(*) FILTER (WHERE category_code = 'ebike_charging') = 0
           FROM minqing.alert_sheet('so_calm', '990104003000', '2025-09-09', 'su')),
          'alert_sheet(): the calm city''s street: at most 3 items, no e-bike surge');
SELECT ok((SELECT max(n) <= 3 FROM (SELECT d, count(s.*) AS n
                                    FROM generate_series(timestamp '2025-09-03', timestamp '2025-09-09', interval '1 day') g, LATERAL (SELECT g::date AS d) dd
                                    LEFT JOIN LATERAL minqing.alert_sheet('so_calm', '990104003000', d, 'su') s ON true
                                    GROUP BY d) x),
          'alert_sheet(): the calm city''s street: at most 3 items on every morning of the surge''s week (2025-09-03 … 09-09)');

-- 15-19. the department mapping is configurable, with a fallback to the orders
SELECT is((SELECT count(*) FROM minqing.category c LEFT JOIN minqing.category_department d ON d.category_code = c.code AND d.builtin
           WHERE c.builtin AND c.tier IS NOT NULL AND d.department IS NULL), 0::bigint,
          'every built-in category has a shipped department');
INSERT INTO minqing.category_department (category_code, department) VALUES ('ebike_charging', '消防救援支队 Fire Brigade');
SELECT is((SELECT department || ' ' || department_source FROM minqing.alert_sheet('so', '990104003000', '2025-09-09', 'su') WHERE urgency_rank = 1),
          '消防救援支队 Fire Brigade mapping', 'alert_sheet(): a row of yours overrides the shipped department');
DELETE FROM minqing.category_department WHERE category_code = 'ebike_charging';
SELECT is((SELECT department || ' ' || department_source FROM minqing.alert_sheet('so', '990104003000', '2025-09-09', 'su') WHERE urgency_rank = 1),
          '公安局 Public Security orders', 'alert_sheet(): without a mapping, the department that handled most of these orders');
CREATE TEMP VIEW so_nodept AS SELECT id, created_at, category_code, unit_code, geom, caller_id, content FROM so;
SELECT is((SELECT COALESCE(department, 'NULL') || ' ' || department_source FROM minqing.alert_sheet('so_nodept', '990104003000', '2025-09-09', 'su') WHERE urgency_rank = 1),
          'NULL unassigned', 'alert_sheet(): no mapping and no department column: unassigned');
CREATE TEMP TABLE my_dept (category_code text, department text);
INSERT INTO my_dept VALUES ('ebike_charging', '街道平安办 Street Safety Office');
SELECT is((SELECT department FROM minqing.alert_sheet('so', '990104003000', '2025-09-09', 'su', departments => 'my_dept') WHERE urgency_rank = 1),
          '街道平安办 Street Safety Office', 'alert_sheet(): departments => a table of your own');

-- 20-22. optional columns: without content no hot words and no example; without geom no class cases
CREATE TEMP VIEW so_plain AS SELECT id, created_at, category_code, unit_code FROM so;
SELECT is((SELECT kind || ' ' || category_code || ' ' || COALESCE(example_text, 'no text') FROM minqing.alert_sheet('so_plain', '990104003000', '2025-09-09', 'su') WHERE urgency_rank = 1),
          'surge ebike_charging no text', 'alert_sheet(): the four canonical columns are enough for surges');
SELECT is((SELECT count(*) FROM minqing.alert_sheet('so_plain', '990104003000', '2025-09-10', 'su') WHERE kind IN ('hot_word', 'class_case')),
          0::bigint, 'alert_sheet(): no hot words without content, no class cases without geom');
SELECT is((SELECT count(*) FROM minqing.alert_sheet('so', '990104003000', '2025-09-10', 'su', max_items => 1)), 1::bigint,
          'alert_sheet(): max_items');

-- 28-29. a running surge is listed once: no persistent excess of its category in an area above or below it
CREATE TEMP TABLE sheets AS
SELECT d::date AS morning, x.* FROM generate_series(timestamp '2025-09-09', '2025-10-06', interval '3 days') d,
       LATERAL minqing.alert_sheet('so', '990104003000', d::date, 'su') x;
SELECT ok((SELECT count(DISTINCT morning) FROM sheets WHERE kind = 'surge' AND category_code = 'ebike_charging') >= 3,
          'alert_sheet(): the e-bike surge is on the street''s sheet on at least 3 of 10 mornings of its four weeks');
SELECT is((SELECT count(*) FROM sheets p JOIN sheets s ON s.morning = p.morning AND s.category_code = p.category_code
           WHERE p.kind = 'persistent' AND s.kind = 'surge'
             AND (p.area_code LIKE left(s.area_code, (ARRAY[2, 4, 6, 9, 12, 15])[s.area_level]) || '%'
                  OR s.area_code LIKE left(p.area_code, (ARRAY[2, 4, 6, 9, 12, 15])[p.area_level]) || '%')),
          0::bigint, 'alert_sheet(): no persistent item repeats a running surge of its category (same area, above or below)');

-- 23-27. the HTML page: self-contained, escaped, the surge first
INSERT INTO so (id, created_at, category_code, unit_code, geom, content)
SELECT 99999999, '2025-09-08 23:59:00+08', 'ebike_charging', '990104003001001', geom, '<script>alert(1)</script> 楼道"飞线充电" & more'
FROM so WHERE unit_code = '990104003001001' LIMIT 1;
CREATE TEMP TABLE page AS SELECT minqing.alert_sheet_html('so', '990104003000', '2025-09-09', 'su') AS h;
SELECT ok((SELECT h LIKE '<!DOCTYPE html>%' AND h LIKE '%民情预警单%Alert sheet%' AND h LIKE '%新华路街道%' AND h LIKE '%2025-09-09%' FROM page),
          'alert_sheet_html(): a page with the bilingual heading, the unit and the date');
SELECT ok((SELECT h !~* '(<script|<img|<link|<iframe|src=|url\(|@import|https?://)' FROM page),
          'alert_sheet_html(): self-contained: no scripts, images, links or URLs');
SELECT ok((SELECT h LIKE '%&lt;script&gt;alert(1)&lt;/script&gt; 楼道&quot;飞线充电&quot; &amp; more%' FROM page),
          'alert_sheet_html(): complaint text is escaped');
SELECT ok((SELECT substring(h FROM '<tbody>\n(<tr[^\n]*)') LIKE '<tr class="surge"><td class="num">1</td>%电动车充电%公安局%' FROM page),
          'alert_sheet_html(): the first row is the e-bike surge');
SELECT ok((SELECT minqing.alert_sheet_html('so', '990104003000', '2030-01-01', 'su') LIKE '%今日无预警事项%'),
          'alert_sheet_html(): a morning after the data: an empty sheet that says so');

SELECT * FROM finish();
ROLLBACK;
