-- The alert sheet (民情预警单, SPEC §13) and the HTML helpers (docs/alert_sheet.md).
-- html_escape: the five characters, NULL, nothing else touched
SELECT 'h1' AS t, minqing.html_escape($$<a href="x">Tom & Jerry's</a> 飞线充电$$);
SELECT 'h2' AS t, minqing.html_escape(NULL) IS NULL AS is_null, minqing.html_escape('') = '' AS empty;
-- html_page: escaped title, body as is, inline CSS only
\pset format unaligned
SELECT 'h3' AS t, regexp_replace(p, '<style>.*</style>', '<style>…</style>') AS page,
       p ~ '<style>@page\{size:A4.*p\{color:red\}</style>' AS css_last, p !~* '(script|https?:|url\()' AS self_contained
FROM minqing.html_page('民情预警单 <Alert sheet>', '<p>x</p>', 'zh-CN', 'p{color:red}') p;
\pset format aligned
SELECT 'h4' AS t, minqing.html_page(NULL, NULL) LIKE '%<title></title>%<body>%</body></html>%' AS empty_page;
-- errors
SELECT 'h5' AS t, minqing.html_page('x', 'y', 'zh"><script>');
SELECT 'h6' AS t, minqing.html_page('x', 'y', 'en', 'body{background:url(http://example.com/a.png)}');
SELECT 'h7' AS t, minqing.html_page('x', 'y', 'en', '</style><script>alert(1)</script>');

-- the alert sheet on a small hand-made city: one street, two communities, a
-- steady 2 noise orders a day for 500 days, then 9 e-bike charging orders in
-- one community on the last day
SET TimeZone = 'Asia/Shanghai';
CREATE TABLE sheet_units (code text PRIMARY KEY, name text);
INSERT INTO sheet_units VALUES ('990104003000', '新华路街道 <Xinhua Lu>'), ('990104003001', '一社区 Community 1'),
	('990104003002', '二社区 Community 2'), ('990104003001001', '网格 Grid 1'), ('990104003002001', '网格 Grid 2'),
	('990100000000', '市 City');
CREATE TABLE sheet_orders AS
SELECT row_number() OVER (ORDER BY d, k) AS id, d + interval '10 hours' + k * interval '1 hour' AS created_at,
       'noise'::text AS category_code, CASE WHEN k = 0 THEN '990104003001001' ELSE '990104003002001' END AS unit_code,
       'ktv' AS department, '楼下KTV太吵' AS content
FROM generate_series(timestamptz '2024-04-01', timestamptz '2025-08-13', interval '1 day') d, generate_series(0, 1) k;
INSERT INTO sheet_orders
SELECT 100000 + k, timestamptz '2025-08-14 08:00' + k * interval '10 minutes', 'ebike_charging', '990104003001001',
       NULL, '楼道里飞线充电 <危险>'
FROM generate_series(1, 9) k;
SELECT 's1' AS t, urgency_rank, kind, category_code, category_name_en, area_code, area_name, area_level, since, last_day,
       observed, round(expected::numeric, 2) AS expected, threshold, department, department_source, evidence_orders,
       evidence, example_order_id, example_text
FROM minqing.alert_sheet('sheet_orders', '990104003000', '2025-08-15', 'sheet_units');
-- the community's sheet has the surge; the other community's is empty; a morning before it too
SELECT 's2' AS t, (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', '990104003001', '2025-08-15', 'sheet_units')) AS community_1,
       (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', '990104003002', '2025-08-15', 'sheet_units')) AS community_2,
       (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', '990104003000', '2025-08-14', 'sheet_units')) AS the_day_before;
-- NULL arguments: no rows; a morning outside the data: no rows
SELECT 's3' AS t, (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', '990104003000', NULL, 'sheet_units')) AS null_as_of,
       (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', NULL, '2025-08-15', 'sheet_units')) AS null_unit,
       (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', '990104003000', '2030-01-01', 'sheet_units')) AS after_data,
       (SELECT count(*) FROM minqing.alert_sheet('sheet_orders', '990104003000', '2020-01-01', 'sheet_units')) AS before_data,
       minqing.alert_sheet_html('sheet_orders', '990104003000', NULL, 'sheet_units') IS NULL AS null_page;
-- errors: unknown unit, malformed codes, a city, missing columns, infinite dates, max_items
SELECT 's4' AS t, * FROM minqing.alert_sheet('sheet_orders', '990104009000', '2025-08-15', 'sheet_units');
SELECT 's5' AS t, * FROM minqing.alert_sheet('sheet_orders', '99010400300', '2025-08-15', 'sheet_units');
SELECT 's6' AS t, * FROM minqing.alert_sheet('sheet_orders', '990104003001000', '2025-08-15', 'sheet_units');
SELECT 's7' AS t, * FROM minqing.alert_sheet('sheet_orders', '990100000000', '2025-08-15', 'sheet_units');
CREATE TABLE sheet_bad AS SELECT id, created_at, unit_code FROM sheet_orders;
SELECT 's8' AS t, * FROM minqing.alert_sheet('sheet_bad', '990104003000', '2025-08-15', 'sheet_units');
SELECT 's9' AS t, * FROM minqing.alert_sheet('sheet_orders', '990104003000', '2025-08-15', 'sheet_bad');
SELECT 's10' AS t, * FROM minqing.alert_sheet('sheet_orders', '990104003000', 'infinity', 'sheet_units');
SELECT 's11' AS t, * FROM minqing.alert_sheet('sheet_orders', '990104003000', '2025-08-15', 'sheet_units', max_items => 0);
SELECT 's12' AS t, minqing.alert_sheet_html('sheet_orders', '990104009000', '2025-08-15', 'sheet_units');
-- the page: escaped unit name and complaint text
SELECT 's13' AS t, h LIKE '%新华路街道 &lt;Xinhua Lu&gt;%' AS escaped_name, h LIKE '%楼道里飞线充电 &lt;危险&gt;%' AS escaped_text,
       h !~ '<(script|img|link|iframe)' AS self_contained, (length(h) - length(replace(h, '<tr class=', ''))) / 10 AS item_rows
FROM minqing.alert_sheet_html('sheet_orders', '990104003000', '2025-08-15', 'sheet_units') h;
DROP TABLE sheet_orders, sheet_units, sheet_bad;
