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
