-- class_cases: st_dbscan, repeat_flag, knox (SPEC §9).  Queries tagged c1..,
-- errors e1..  Reference values (sklearn, R surveillance) are in
-- test/pgtap/class_cases.sql.
SET extra_float_digits = 0;
--
-- st_dbscan worked example (SRID 0, eps 1.5, eps_time 1 day, minpoints 3):
--   1-3 at x = 0, 1, 2 on three consecutive days: 2 is core (1, 2, 3 within
--   1.5 and 1 day), 1 and 3 have two neighbours each (border) -> cluster 0;
--   4 is far away -> noise; 5-7 at one place two months later -> cluster 1;
--   8 at 1's place, 1 day 1 hour later: too late for 1, but 1 away from 2 and
--   1 hour after it: 8 has one neighbour (2), a core point -> border of 0;
--   9 has a NULL time -> NULL, and does not change the others.
CREATE TABLE sd_line (id int, g geometry, t timestamptz);
INSERT INTO sd_line VALUES
	(1, 'POINT(0 0)', '2024-01-01 00:00+00'), (2, 'POINT(1 0)', '2024-01-02 00:00+00'),
	(3, 'POINT(2 0)', '2024-01-03 00:00+00'), (4, 'POINT(50 0)', '2024-01-02 00:00+00'),
	(5, 'POINT(0 0)', '2024-03-01 00:00+00'), (6, 'POINT(0.5 0)', '2024-03-01 06:00+00'),
	(7, 'POINT(0 0.5)', '2024-03-01 12:00+00'), (8, 'POINT(0 0)', '2024-01-02 01:00+00'),
	(9, 'POINT(1 1)', NULL);
SELECT 'c1', id, minqing.st_dbscan(g, t, 1.5, '1 day', 3) OVER (ORDER BY id) AS cluster FROM sd_line ORDER BY id;
-- minpoints 1: every point is a cluster of its own or joins neighbours; 2 joins pairs
SELECT 'c2', id, minqing.st_dbscan(g, t, 1.5, '1 day', 1) OVER (ORDER BY id) AS mp1,
       minqing.st_dbscan(g, t, 1.5, '1 day', 2) OVER (ORDER BY id) AS mp2 FROM sd_line ORDER BY id;
-- the partition order numbers the clusters; the clustering itself does not change
SELECT 'c3', id, minqing.st_dbscan(g, t, 1.5, '1 day', 3) OVER (ORDER BY id DESC) AS cluster FROM sd_line ORDER BY id;
-- partitions are independent; a month counts as 30 days ('1 mon' = '30 days')
SELECT 'c4', id, minqing.st_dbscan(g, t, 1.5, '1 mon', 3) OVER (PARTITION BY id <= 4 ORDER BY id) AS by_part,
       minqing.st_dbscan(g, t, 1.5, '1 mon', 3) OVER (ORDER BY id) IS NOT DISTINCT FROM
       minqing.st_dbscan(g, t, 1.5, '30 days', 3) OVER (ORDER BY id) AS month_is_30_days
FROM sd_line ORDER BY id;
-- D* = max(d/eps, |dt|/eps_time) <= 1: exactly eps and exactly eps_time are neighbours
SELECT 'c5', id, minqing.st_dbscan(g, t, 1.0, '1 day', 2) OVER (ORDER BY id) AS cluster
FROM (VALUES (1, 'POINT(0 0)'::geometry, '2024-01-01'::timestamptz), (2, 'POINT(1 0)', '2024-01-02'),
             (3, 'POINT(2.000001 0)', '2024-01-02'), (4, 'POINT(1 0)', '2024-01-03 00:00:01')) v(id, g, t)
ORDER BY id;
-- NULL arguments: a NULL geometry, POINT EMPTY or NULL constants give NULL for that row only
SELECT 'c6', id, minqing.st_dbscan(CASE WHEN id = 1 THEN NULL WHEN id = 2 THEN 'POINT EMPTY'::geometry ELSE g END,
                                   t, 1.5, '1 day', 3) OVER (ORDER BY id) AS cluster
FROM sd_line ORDER BY id;
-- empty partition, single point
SELECT 'c7', count(*) FROM (SELECT minqing.st_dbscan(g, t, 1, '1 day', 2) OVER () FROM sd_line WHERE false) s;
SELECT 'c8', minqing.st_dbscan('POINT(0 0)'::geometry, now(), 1, '1 day', 1) OVER () AS alone,
       minqing.st_dbscan('POINT(0 0)'::geometry, now(), 1, '1 day', 2) OVER () AS noise;
--
-- repeat_flag worked example (within 30 days):
--   caller a, water: Jan 1, Jan 10 (repeat, gap 9), Mar 1 twice (same instant:
--   neither repeats the other), Mar 31 (exactly 30 days after Mar 1: NOT a
--   repeat — the window (t - 30 days, t) is open — but Mar 1 IS followed, the
--   window (t, t + 30 days] is closed); caller a, noise on Jan 11: another
--   category, not a repeat; caller b: one order; NULL callers: the 3-argument
--   form treats them as one partition, the caller-aware form as non-repeats.
CREATE TABLE rp (id int, caller text, cat text, t timestamptz);
INSERT INTO rp VALUES
	(1, 'a', 'water', '2024-01-01 08:00+00'), (2, 'a', 'water', '2024-01-10 08:00+00'),
	(3, 'a', 'noise', '2024-01-11 08:00+00'), (4, 'a', 'water', '2024-03-01 08:00+00'),
	(5, 'a', 'water', '2024-03-01 08:00+00'), (6, 'a', 'water', '2024-03-31 08:00+00'),
	(7, 'b', 'water', '2024-01-02 08:00+00'), (8, NULL, 'water', '2024-01-01 08:00+00'),
	(9, NULL, 'water', '2024-01-02 08:00+00'), (10, 'a', NULL, '2024-01-02 08:00+00');
SELECT 'c9', id, (r).is_repeat, (r).followed, (r).prior_gap_days, (rc).is_repeat AS caller_aware_repeat
FROM (SELECT id, minqing.repeat_flag(cat, t) OVER w AS r, minqing.repeat_flag(caller, cat, t) OVER w AS rc
      FROM rp WINDOW w AS (PARTITION BY caller ORDER BY t)) s ORDER BY id;
-- a 9-day window: Jan 10 is no longer a repeat of Jan 1 (9 days exactly: the
-- window is open), but Jan 1 is still followed (closed); 10 days: repeat.
-- Without ORDER BY the answer is the same (the function sorts by time).
SELECT 'c10', id, (minqing.repeat_flag(cat, t, '9 days') OVER (PARTITION BY caller)).*,
       (minqing.repeat_flag(cat, t, '10 days') OVER (PARTITION BY caller)).is_repeat AS repeat_10_days
FROM rp WHERE caller IS NOT NULL ORDER BY id;
-- first-contact resolution: share of non-repeat orders that are not followed
SELECT 'c11', caller, (minqing.rate(NOT (r).followed) FILTER (WHERE NOT (r).is_repeat)).k AS resolved_first,
       (minqing.rate(NOT (r).followed) FILTER (WHERE NOT (r).is_repeat)).n AS first_contacts
FROM (SELECT caller, minqing.repeat_flag(caller, cat, t) OVER (PARTITION BY caller ORDER BY t) AS r FROM rp) s
GROUP BY caller ORDER BY caller;
--
-- knox on sd_line by hand (SRID 0, eps 1.5, eps_time 1 day; the NULL-time
-- row is skipped): 8 points, 28 pairs; 17 pairs within 1.5 (the two places
-- 0..2 and 0..0.5 share points across months), 11 within 1 day, 6 close in
-- both: (1,2) (2,3) (2,8) (5,6) (5,7) (6,7).  E = 17·11/28 = 6.678571,
-- ratio 6/E = 0.898396, p = P(Poisson(E) >= 6) = 0.656375 (R: ppois(5, E, lower.tail = FALSE))
SELECT 'c12', n, pairs, close_space, close_time, observed, round(expected::numeric, 6) AS expected,
       round(ratio::numeric, 6) AS ratio, round(p::numeric, 6) AS p
FROM (SELECT (minqing.knox(g, t, 1.5, '1 day')).* FROM sd_line) k;
-- empty input: n = 0, counts 0, statistics NULL; one point: no pairs
SELECT 'c13', (minqing.knox(g, t, 1.5, '1 day')).* FROM sd_line WHERE false;
SELECT 'c14', (minqing.knox(g, t, 1.5, '1 day')).* FROM sd_line WHERE id = 1;
-- eps_time 1 minute: one pair close in time (2 and 4, far apart): X = 0, p = 1
SELECT 'c15', (minqing.knox(g, t, 1.5, '1 minute')).* FROM sd_line;
-- no pair close in time: E = 0, ratio NULL, p = 1
SELECT 'c16', (minqing.knox(g, t, 1.5, '1 day')).* FROM sd_line WHERE id IN (1, 3, 5);
--
-- bad input
SELECT 'e1', minqing.st_dbscan(g, t, 0, '1 day', 3) OVER () FROM sd_line;
SELECT 'e2', minqing.st_dbscan(g, t, 'NaN', '1 day', 3) OVER () FROM sd_line;
SELECT 'e3', minqing.st_dbscan(g, t, 1, '-1 day', 3) OVER () FROM sd_line;
SELECT 'e4', minqing.st_dbscan(g, t, 1, '0 days', 3) OVER () FROM sd_line;
SELECT 'e5', minqing.st_dbscan(g, t, 1, '1 day', 0) OVER () FROM sd_line;
SELECT 'e6', minqing.st_dbscan(g, t, id, '1 day', 3) OVER () FROM sd_line;
SELECT 'e7', minqing.st_dbscan(ST_SetSRID(g, id % 2), t, 1, '1 day', 3) OVER () FROM sd_line;
SELECT 'e8', minqing.st_dbscan(ST_Buffer(g, 1), t, 1, '1 day', 3) OVER () FROM sd_line;
SELECT 'e9', minqing.st_dbscan(g, 'infinity', 1, '1 day', 3) OVER () FROM sd_line;
SELECT 'e10', minqing.st_dbscan('SRID=4326;POINT(500 0)'::geometry, now(), 1, '1 day', 3) OVER ();
SELECT 'e11', minqing.repeat_flag(cat, t, '0 days') OVER (PARTITION BY caller) FROM rp;
SELECT 'e12', minqing.repeat_flag(cat, t, make_interval(days => id)) OVER (PARTITION BY caller) FROM rp;
SELECT 'e13', minqing.knox(g, t, -1, '1 day') FROM sd_line;
SELECT 'e14', minqing.knox(g, t, id, '1 day') FROM sd_line;
SELECT 'e15', minqing.knox(ST_SetSRID(g, id % 2), t, 1, '1 day') FROM sd_line;
SELECT 'e16', minqing.knox(g, t, 1, '100000000 years') FROM sd_line;
SELECT 'e17', minqing.knox_final('\x0132000000000000'::bytea);
--
-- place_scan worked example (SRID 0, radius 10, background ring to 30):
-- incidents at x = 0, 1, 2, 3 (a place), one at 20 (in the ring of the first
-- four) and one far away.  n = 6 over a bounding box of 1000 × 1, so
-- A = max(1000, π·30²) = 2827.43 and the floor λ = 6·π·10²/A = 2/3.
-- Each of 0..3 has X = 4 incidents within 10 and N = 5 within 30:
-- λ = max(1·10²/(30² − 10²), 2/3) = 2/3, p = P(Poisson(2/3) >= 3)
--   = 1 − e^(−2/3)(1 + 2/3 + 2/9) = 0.030212.
-- All four tie on p and X: the earliest row (id 1) is the centre and takes
-- the other three; 20 and 1000 are places of one incident (p = 1).
SELECT 'c17', id, (s).* FROM (
	SELECT id, minqing.place_scan(g, 10, 30) OVER (ORDER BY id) AS s
	FROM (VALUES (1, 'POINT(0 0)'::geometry), (2, 'POINT(1 0)'), (3, 'POINT(2 0)'), (4, 'POINT(3 0)'),
	             (5, 'POINT(20 0)'), (6, 'POINT(1000 1)'), (7, NULL)) v(id, g)) t ORDER BY id;
--
-- class_cases on a small table: one spot (ids 1-6) with three incidents 20
-- days apart, each reported twice two hours apart by different callers; one
-- event reported 5 times within 80 minutes (ids 10-14); 20 orders of the
-- category spread 850 m apart.  Duplicates merge: the spot has 3 incidents
-- (rules 2/30 and 3/90 fire, the shortest window is reported), the event 1
-- (no place: a place needs two incidents).
CREATE TABLE cc_orders (id bigint, created_at timestamptz, category_code text, unit_code text,
	geom geometry, caller_id text, department text);
INSERT INTO cc_orders
SELECT i, '2025-01-01 08:00+00'::timestamptz + ((i - 1) / 2 * 20) * interval '1 day' + (i % 2) * interval '2 hours',
       'road_maintenance', '990101001001', ST_SetSRID(ST_Point(116.4 + (i % 3) * 0.0001, 39.9), 4326),
       'c' || i, 'roads'
FROM generate_series(1, 6) i
UNION ALL
SELECT 10 + i, '2025-03-01 09:00+00'::timestamptz + i * interval '20 minutes', 'water_supply', '990101001002',
       ST_SetSRID(ST_Point(116.41, 39.91 + i * 0.0001), 4326), 'w' || i, 'water'
FROM generate_series(0, 4) i
UNION ALL
SELECT 100 + i, '2025-01-01 00:00+00'::timestamptz + i * interval '9 days', 'road_maintenance', '990101001003',
       ST_SetSRID(ST_Point(116.3 + i * 0.01, 39.8), 4326), 'n' || i, 'roads'
FROM generate_series(1, 20) i;
SELECT 'c18', rank, category_code, unit_code, department, orders, incidents, callers, active_weeks,
       round(p::numeric, 6) AS p, round(q::numeric, 6) AS q, chronic, rule, rules_fired, trend_label
FROM minqing.class_cases('cc_orders', '2025-01-01', '2026-01-01');
-- only incidents count: the 5-report event is one incident, so no place
SELECT 'c19', count(*) FROM minqing.class_cases('cc_orders', '2025-01-01', '2026-01-01') WHERE category_code = 'water_supply';
-- eps_time 1 hour: the 2-hour-apart reports no longer merge: more incidents
SELECT 'c20', incidents FROM minqing.class_cases('cc_orders', '2025-01-01', '2026-01-01', 100, '1 hour')
WHERE category_code = 'road_maintenance' ORDER BY rank LIMIT 1;
-- the shipped recurrence rules
SELECT 'c21', name, incidents, within_days FROM minqing.recurrence_rule ORDER BY within_days;
--
-- caller_profile worked example (TimeZone UTC): five orders of one caller:
-- water twice 10 days apart (the second is a repeat), noise at 23:00 and at
-- 02:00 (night), garbage by day; satisfied f, t, f, NULL, t -> 2 of 4
-- dissatisfied; points: three within 100 m of each other, two far -> 3
-- places.  No shipped rule fits (civic needs repeat_share <= 0.25): NULL.
SET TimeZone = 'UTC';
SELECT 'c22', (p).* FROM (SELECT minqing.caller_profile(t, cat, g, sat) AS p FROM (VALUES
	('2025-01-01 10:00+00'::timestamptz, 'water', 'SRID=4326;POINT(116.4 39.9)'::geometry, false),
	('2025-01-11 10:00+00', 'water', 'SRID=4326;POINT(116.4005 39.9)', true),
	('2025-02-01 23:00+00', 'noise', 'SRID=4326;POINT(116.4 39.9005)', false),
	('2025-02-03 02:00+00', 'noise', 'SRID=4326;POINT(116.5 39.9)', NULL),
	('2025-03-01 12:00+00', 'garbage', 'SRID=4326;POINT(116.6 39.9)', true)) v(t, cat, g, sat)) s;
-- entropy of (2, 2, 1)/5 in bits = 1.521928; two contacts -> wait_and_see
SELECT 'c23', round(log(2, 5) - 0.8 * 1, 6) AS entropy_by_hand,
       (minqing.caller_profile(t, 'x', NULL, true)).caller_type
FROM (VALUES ('2025-01-01'::timestamptz), ('2025-06-01')) v(t);
-- empty input and rows without a time or category: NULL
SELECT 'c24', minqing.caller_profile(now(), NULL, NULL, NULL) IS NULL AS no_category,
       (SELECT minqing.caller_profile(now(), 'x', NULL, NULL) FROM cc_orders WHERE false) IS NULL AS empty;
-- your own rule: a user row with a smaller priority wins
INSERT INTO minqing.caller_type_rule (code, name_zh, name_en, priority, min_orders) VALUES ('frequent', '高频', 'frequent', 1, 5);
SELECT 'c25', (minqing.caller_profile(t, 'x', NULL, NULL)).caller_type
FROM generate_series('2025-01-01'::timestamptz, '2025-01-05', '1 day') t;
DELETE FROM minqing.caller_type_rule WHERE code = 'frequent';
RESET TimeZone;
--
-- more bad input
SELECT 'e18', count(*) FROM minqing.class_cases('cc_orders', '2025-01-01', '2024-01-01');
SELECT 'e19', count(*) FROM minqing.class_cases('cc_orders', '2025-01-01', '2026-01-01', -5);
SELECT 'e20', count(*) FROM minqing.class_cases('cc_orders', '2025-01-01', '2026-01-01', 100, '3 days', 100, 50);
SELECT 'e21', count(*) FROM minqing.class_cases('cc_orders', '2025-01-01', '2026-01-01', alpha => 1.5);
SELECT 'e22', count(*) FROM minqing.class_cases('sd_line', '2025-01-01', '2026-01-01');
SELECT 'e23', minqing.place_scan(g, 10, 5) OVER () FROM sd_line;
SELECT 'e24', minqing.caller_profile('infinity', 'x', NULL, NULL);
SELECT 'e25', minqing.caller_profile(now(), 'x', ST_SetSRID(g, id % 2), NULL) FROM sd_line;
SELECT 'e26', count(*) FROM minqing.caller_type_shares('cc_orders', '2025-01-01', '2026-01-01', 7);
SELECT 'e27', count(*) FROM minqing.repeat_kpi('sd_line', '2025-01-01', '2026-01-01');
