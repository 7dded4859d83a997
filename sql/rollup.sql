-- rollup state types (SPEC §8): rate_state, kpi_state, index_state (tagged r..,
-- errors e..).  The states are built per day and merged into the usual results.
SET client_min_messages = notice;
SET extra_float_digits = 0;
SET TimeZone = 'Asia/Shanghai';
\set SHOW_CONTEXT never
CREATE TEMP TABLE o (day int, category_code text, responded boolean, resolved boolean, satisfied boolean, caller_id text);
INSERT INTO o VALUES
	(1, 'heating', true, true, true, 'A'), (1, 'noise', true, false, NULL, 'A'), (1, 'heating', false, NULL, NULL, NULL),
	(2, 'heating', true, true, false, 'A'), (2, 'heating', true, true, true, 'B'), (2, NULL, NULL, NULL, NULL, 'B'),
	(3, 'heating', true, false, false, 'B'), (3, NULL, true, true, true, 'B');
CREATE TEMP TABLE d AS
SELECT day, minqing.rate_state(satisfied) AS rs, minqing.kpi_state(responded, resolved, satisfied) AS ks,
       minqing.index_state(category_code, responded, resolved, satisfied, caller_id) AS st
FROM o GROUP BY day;
-- merged states equal the raw aggregates
SELECT 'r1', (SELECT minqing.rate(rs) FROM d) AS merged, (SELECT minqing.rate(satisfied) FROM o) AS raw;
SELECT 'r2', (SELECT minqing.rate(rs, 0.8) FROM d) AS merged, (SELECT minqing.rate(satisfied, 0.8) FROM o) AS raw;
SELECT 'r3', (SELECT minqing.kpi(ks) FROM d) AS merged, (SELECT minqing.kpi(responded, resolved, satisfied) FROM o) AS raw;
-- per category: orders, caller orders, repeats (A's and B's 2nd heating orders,
-- B's 2nd order without category), n and k of the flags
SELECT 'r4', x.* FROM minqing.index_state_counts((SELECT minqing.index_state(st) FROM d)) x ORDER BY category_code;
-- each day alone sees no repeat
SELECT 'r5', d.day, sum(x.repeat_orders) FROM d, minqing.index_state_counts(d.st) x GROUP BY d.day ORDER BY d.day;
-- states are text
SELECT 'r6', rs, ks FROM d WHERE day = 1;
SELECT 'r7', minqing.rate(rs::text::minqing.rate_state) = minqing.rate(rs) FROM d;
-- empty input: NULL state, empty results
SELECT 'r8', minqing.rate_state(x) IS NULL, minqing.kpi(NULL::minqing.kpi_state), minqing.rate(NULL::minqing.rate_state)
FROM (SELECT NULL::boolean x WHERE false) e;
-- errors
SELECT 'e1', 'abc'::minqing.rate_state;
SELECT 'e2', '\x0102'::minqing.kpi_state;
SELECT 'e3', (SELECT ks::text FROM d WHERE day = 1)::minqing.index_state;
SELECT 'e4', minqing.rate(rs, 1.5) FROM d;
SET minqing.kpi_weights = '1,1,1';
CREATE TEMP TABLE d2 AS SELECT minqing.kpi_state(responded, resolved, satisfied) AS ks FROM o;
RESET minqing.kpi_weights;
SELECT 'e5', minqing.kpi(ks) FROM (SELECT ks FROM d UNION ALL SELECT ks FROM d2) x;
CREATE TEMP TABLE r (day date, unit_code text, state minqing.kpi_state);
SELECT 'e6', * FROM minqing.sentiment_index('r', 4, '2025-06-01', '2025-07-01');
CREATE TEMP TABLE r2 (day date, state minqing.index_state);
SELECT 'e7', * FROM minqing.alarm_list('r2', 4, '2025-06-30');
CREATE TEMP TABLE r3 (day date, unit_code text, state minqing.index_state);
SELECT 'e8', * FROM minqing.sentiment_index('r3', 4, '2025-06-01 08:00', '2025-07-01');
-- orders in no unit of the level (unit code coarser than the level) are left
-- out with a NOTICE that counts them (tagged n..): above all a rollup built per
-- district and read per street, which would otherwise be silently empty
CREATE TEMP TABLE u (LIKE minqing.admin_unit INCLUDING ALL);
INSERT INTO u (code, name, level, parent_code, population) VALUES
	('110101000000', 'D', 3, NULL, 1000), ('110101001000', 'S1', 4, '110101000000', 500),
	('110101002000', 'S2', 4, '110101000000', 500);
CREATE TEMP TABLE wo (created_at timestamptz, category_code text, unit_code text, responded boolean,
	resolved boolean, satisfied boolean, caller_id text);
INSERT INTO wo VALUES
	('2025-06-03 10:00', 'heating', '110101001001', true, true, true, 'A'),
	('2025-06-04 10:00', 'heating', '110101001002', true, false, NULL, 'B'),
	('2025-06-05 10:00', 'noise', '110101002001', true, true, false, 'C'),
	('2025-06-05 11:00', 'noise', '110101000000', true, true, true, 'D');
CREATE TEMP TABLE dd AS
SELECT created_at::date AS day, minqing.admin_ancestor(unit_code, 3) AS unit_code,
       minqing.index_state(category_code, responded, resolved, satisfied, caller_id) AS state
FROM wo GROUP BY 1, 2;
SELECT 'n1', unit_code, orders FROM minqing.index_components('wo', 4, '2025-06-01', '2025-07-01', units => 'u');
SELECT 'n2', unit_code, orders FROM minqing.index_components('dd', 4, '2025-06-01', '2025-07-01', units => 'u');
SELECT 'n3', unit_code, orders FROM minqing.index_components('dd', 3, '2025-06-01', '2025-07-01', units => 'u');
SELECT 'n4', count(*) FROM minqing.alarm_list('dd', 4, '2025-06-30', 'C2', units => 'u');
SELECT 'n5', count(*) FROM minqing.alarm_history('dd', 4, '2025-06-30', '2025-06-30');
SELECT 'n6', count(*) FROM minqing.alarm_history('wo', 4, '2025-06-30', '2025-06-30', 'C1');
SELECT 'n7', count(*) FROM minqing.alarm_list('dd', 3, '2025-06-30', 'C2', units => 'u');
RESET TimeZone;
