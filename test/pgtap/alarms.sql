-- pgTAP: farrington() against R surveillance farringtonFlexible (fixture
-- alarms_fixture.psql, made by test/reference/alarms_farrington.R), its
-- NULLs and bad input; auto_alarm() and alarm_history() on a small city.
BEGIN;
SELECT plan(51);

\i alarms_fixture.psql
CREATE TEMP TABLE far_got AS
SELECT s.id, s.t, s.cases,
       (minqing.farrington(s.cases, c.period, c.b, c.w, c.alpha) OVER (PARTITION BY s.id ORDER BY s.t)).*
FROM far_series s JOIN far_case c USING (id);

-- 1-7: every case equals R to 1e-6 (relative to max(1, |value|)), alarms and NULLs included
SELECT ok(count(*) = (SELECT count(*) FROM far_ref f JOIN far_series USING (id, t) WHERE id = c.id AND cases IS NOT NULL)
          AND count(*) FILTER (WHERE abs(g.expected - r.expected) > 1e-6 * greatest(1, abs(r.expected))
                                  OR abs(g.upperbound - r.upperbound) > 1e-6 * greatest(1, abs(r.upperbound))
                                  OR (g.expected IS NULL) <> (r.expected IS NULL)
                                  OR (g.upperbound IS NULL) <> (r.upperbound IS NULL)
                                  OR g.alarm IS DISTINCT FROM r.alarm) = 0,
          format('farrington(): case %s (period %s, b %s, w %s, alpha %s) equals R farringtonFlexible on %s periods',
                 c.id, c.period, c.b, c.w, c.alpha, count(*)))
FROM far_case c
JOIN far_ref r ON r.id = c.id
JOIN far_got g ON g.id = r.id AND g.t = r.t AND g.cases IS NOT NULL
GROUP BY c.id, c.period, c.b, c.w, c.alpha ORDER BY c.id;

-- 8: the fixture has alarms, limit54 NULLs and trend cases to compare
SELECT ok((SELECT count(*) FROM far_ref WHERE alarm) >= 50
          AND (SELECT count(*) FROM far_ref WHERE upperbound IS NULL) >= 100,
          'farrington(): the reference has alarms (>= 50) and 5-in-4 NULL bounds (>= 100)');

-- 9: NULL before b·period + w periods of history, and for missing periods
SELECT ok(bool_and(CASE WHEN g.cases IS NULL OR g.t <= c.b * c.period + c.w
                        THEN g.expected IS NULL AND g.upperbound IS NULL AND g.alarm IS NULL
                        ELSE true END)
          AND count(*) FILTER (WHERE g.t > c.b * c.period + c.w AND g.cases IS NOT NULL AND g.alarm IS NULL) = 0,
          'farrington(): NULL for the first b·period + w periods and for NULL cases; a result after')
FROM far_got g JOIN far_case c USING (id);

-- 10: a missing period keeps its place: dropping E's NULL rows changes the results
SELECT ok(EXISTS (
  SELECT 1 FROM (SELECT t, (minqing.farrington(cases, 7, 4, 1, 0.05) OVER (ORDER BY t)).upperbound AS u
                 FROM far_series WHERE id = 'E' AND cases IS NOT NULL) a
  JOIN far_got g ON g.id = 'E' AND g.t = a.t
  WHERE a.u IS DISTINCT FROM g.upperbound),
  'farrington(): a NULL count is a missing period, not a deleted row');

-- 11: a baseline of zeros (R stops with a singular matrix): expected ~0, alarm on a burst
SELECT ok(bool_and(CASE WHEN t = 62 THEN (f).alarm AND (f).expected < 1e-6 ELSE true END)
          AND count(*) FILTER (WHERE (f).alarm) = 1,
          'farrington(): zeros then a burst of 6: one alarm, expected about 0')
FROM (SELECT t, minqing.farrington(CASE WHEN t = 62 THEN 6 ELSE 0 END, 52, 1, 3) OVER (ORDER BY t) AS f
      FROM generate_series(1, 70) t) s;

-- 12-17: bad input
SELECT throws_ok($$SELECT minqing.farrington(1, 1) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'period must be at least 2', 'farrington(): period < 2');
SELECT throws_ok($$SELECT minqing.farrington(1, 52, 1, 3, 1.0) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'alpha must be between 0 and 1 (exclusive)', 'farrington(): alpha outside (0, 1)');
SELECT throws_ok($$SELECT minqing.farrington(CASE WHEN t = 3 THEN -1 ELSE 1 END, 52) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'cases must be a finite number at least 0', 'farrington(): negative count');
SELECT throws_ok($$SELECT minqing.farrington('NaN', 52) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'cases must be a finite number at least 0', 'farrington(): NaN count');
SELECT throws_ok($$SELECT minqing.farrington(1, 4, 1, 3) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'w must be between 0 and (period - 1) / 2', 'farrington(): reference windows wider than a period');
SELECT throws_ok($$SELECT minqing.farrington(1, 52) OVER () FROM generate_series(1, 5) t$$,
                 '42P20', NULL, 'farrington(): a window without ORDER BY');

-- auto_alarm() on a synthetic daily series of two years (2024-01-01 ..
-- 2025-12-31): deterministic noise, a weekday cycle, a yearly season that
-- jumps 6-fold every 15 November, and a planted surge on 2025-09-08 .. 09-14
CREATE TEMP TABLE auto_series AS
SELECT d::date AS day,
       floor((4 * CASE WHEN extract(isodow FROM d) >= 6 THEN 0.7 ELSE 1.1 END
                * CASE WHEN to_char(d, 'MMDD') >= '1115' OR to_char(d, 'MMDD') < '0301' THEN 6 ELSE 1 END)
             * (0.75 + 0.5 * ((abs(hashtext(d::text)) % 1000) / 1000.0))
             + CASE WHEN d BETWEEN '2025-09-08' AND '2025-09-14' THEN 12 ELSE 0 END)::float8 AS n
FROM generate_series(DATE '2024-01-01', DATE '2025-12-31', interval '1 day') d;
CREATE TEMP TABLE auto_got AS
SELECT day, n, (minqing.auto_alarm(n) OVER (ORDER BY day)).*,
       (minqing.ears(n, 'C2') OVER (ORDER BY day)).alarm AS c2
FROM auto_series;

-- 18: NULL for the first 59 days, a result from the 60th on
SELECT ok(bool_and(expected IS NULL) FILTER (WHERE day < DATE '2024-01-01' + 59)
          AND bool_and(expected IS NOT NULL) FILTER (WHERE day >= DATE '2024-01-01' + 59),
          'auto_alarm(): NULL before 60 days of history, a result after')
FROM auto_got;
-- 19: the surge is raised on its first day, once
SELECT ok((SELECT raised FROM auto_got WHERE day = '2025-09-08')
          AND (SELECT count(*) FROM auto_got WHERE raised AND day BETWEEN '2025-09-08' AND '2025-09-21') = 1
          AND (SELECT count(*) FROM auto_got WHERE alarm AND day BETWEEN '2025-09-08' AND '2025-09-14') >= 3,
          'auto_alarm(): the planted surge raises one alarm, on its first day, while alarm stays true');
-- 20: the known season (15 November, as last year) raises nothing; EARS C2 alarms
SELECT ok((SELECT count(*) FROM auto_got WHERE raised AND day BETWEEN '2025-11-10' AND '2025-11-30') = 0
          AND (SELECT count(*) FROM auto_got WHERE c2 AND day BETWEEN '2025-11-10' AND '2025-11-30') > 0,
          'auto_alarm(): last year''s season start is expected (C2 alarms on it)');
-- 21: few alarms outside the surge in the second year
SELECT cmp_ok((SELECT count(*) FROM auto_got WHERE raised AND day >= '2025-01-01'
               AND day NOT BETWEEN '2025-09-08' AND '2025-09-14'), '<=', 2::bigint,
              'auto_alarm(): at most 2 alarms in 358 ordinary days of 2025');
-- 22: threshold >= min_cases - 1 and alarm = cases > threshold
SELECT ok(bool_and(threshold >= 4 AND alarm = (n > threshold)), 'auto_alarm(): alarm = cases > threshold >= min_cases - 1')
FROM auto_got WHERE expected IS NOT NULL;
-- 23: score = false rows are history only, and the scored rows do not change
SELECT ok(bool_and(CASE WHEN g.day < '2025-06-01' THEN a.a IS NULL
                        ELSE (a.a).expected = g.expected AND (a.a).threshold = g.threshold AND (a.a).alarm = g.alarm END),
          'auto_alarm(): rows with score = false get NULL and change no other row')
FROM (SELECT day, minqing.auto_alarm(n, score => day >= '2025-06-01') OVER (ORDER BY day) AS a FROM auto_series) a
JOIN auto_got g USING (day);
-- 24-26: bad input
SELECT throws_ok($$SELECT minqing.auto_alarm(1, 0) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'alpha must be between 0 and 1 (exclusive)', 'auto_alarm(): alpha outside (0, 1)');
SELECT throws_ok($$SELECT minqing.auto_alarm(1, 0.001, -1) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'min_cases must be a finite number at least 0', 'auto_alarm(): negative min_cases');
SELECT throws_ok($$SELECT minqing.auto_alarm(CASE WHEN t = 2 THEN 'Infinity'::float8 ELSE 1 END) OVER (ORDER BY t) FROM generate_series(1, 5) t$$,
                 '22023', 'cases must be a finite number at least 0', 'auto_alarm(): infinite count');

-- alarm_history() on a small generated city: the planted e-bike surge
-- (3 communities of one street from 2025-09-08, 1, 1, 2, 2, … extra orders a
-- day each at this size) is raised by 2025-09-10 at street level
SET LOCAL TimeZone = 'Asia/Shanghai';
SET LOCAL client_min_messages = warning;
SELECT minqing.generate_city('alarms_city', 20000, 42) \g /dev/null
CREATE TEMP TABLE hist AS
SELECT * FROM minqing.alarm_history('alarms_city.work_order', 4, '2025-09-01', '2025-09-20', units => 'alarms_city.admin_unit');
SELECT ok(EXISTS (SELECT 1 FROM hist h, alarms_city.planted p
                  WHERE p.kind = 'surge' AND h.category_code = p.category_code AND h.method = 'auto'
                    AND h.unit_code = minqing.admin_ancestor(p.unit_codes[1], 4) AND h.day <= '2025-09-10'),
          'alarm_history(): the planted surge is raised by 2025-09-10 (auto, level 4)');
-- 28: no look-ahead: one day at a time gives the same rows, and alarm_list('auto') is that day
SELECT set_eq($$SELECT * FROM hist WHERE day BETWEEN '2025-09-08' AND '2025-09-11'$$,
              $$SELECT h.* FROM generate_series(DATE '2025-09-08', DATE '2025-09-11', interval '1 day') d,
                       minqing.alarm_history('alarms_city.work_order', 4, d::date, d::date) h$$,
              'alarm_history(): a range equals its days one at a time (history only)');
SELECT set_eq($$SELECT unit_code, category_code, observed, threshold, day FROM hist WHERE day = '2025-09-10'$$,
              $$SELECT unit_code, category_code, observed, threshold, alarm_since
                FROM minqing.alarm_list('alarms_city.work_order', 4, '2025-09-10', units => 'alarms_city.admin_unit')$$,
              'alarm_list(): the default method ''auto'' lists what alarm_history raised that day');
-- 30: a daily index_state rollup gives the same history as the orders
CREATE TEMP TABLE alarms_rollup AS
SELECT created_at::date AS day, unit_code, minqing.index_state(category_code, responded, resolved, satisfied, caller_id) AS state
FROM alarms_city.work_order GROUP BY 1, 2;
SELECT set_eq($$SELECT * FROM minqing.alarm_history('alarms_rollup', 4, '2025-09-01', '2025-09-20')$$,
              $$SELECT * FROM hist$$,
              'alarm_history(): from a daily rollup = from the orders (auto)');
-- 31: errors
SELECT throws_ok($$SELECT * FROM minqing.alarm_history('alarms_city.work_order', 4, '2025-09-10', '2025-09-01')$$,
                 '22023', 'date_to must not be before date_from', 'alarm_history(): an empty range is an error');

-- auto_alarm_run(), the sparse path of alarm_history(…, 'auto'), against the
-- path it replaced: the gap-filled series built in SQL and scored by the
-- auto_alarm() window function.  pg_temp.window_alarm_days is that query as
-- alarm_days ran it before (install/51-alarms.sql), except that it builds
-- only the series with a day of at least 5 orders from date_from - 7 on: no
-- other series can raise an alarm there (days with fewer are not scored), so
-- its rows are those of the full query, and the series still start on the
-- first day with any order in the data (d0).
CREATE FUNCTION pg_temp.window_alarm_days(orders regclass, level int, date_from date, date_to date)
	RETURNS TABLE (day date, unit_code text, category_code text, observed float8, expected float8,
		threshold float8, method text)
	LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY
		WITH daily AS (
			SELECT a.unit_code AS u, a.category_code AS cat, a.day AS d, a.cases AS n
			FROM minqing.alarm_daily(orders, level, date_from - 430, date_to) a),
		first AS (SELECT min(daily.d) AS d0 FROM daily),
		pairs AS (SELECT DISTINCT daily.u, daily.cat FROM daily
		          WHERE daily.u IS NOT NULL AND daily.d >= date_from - 7 AND daily.n >= 5),
		series AS (
			SELECT p.u, p.cat, g.d::date AS d, COALESCE(daily.n, 0) AS n
			FROM pairs p
			CROSS JOIN first f
			CROSS JOIN generate_series(f.d0::timestamp, date_to::timestamp, interval '1 day') AS g (d)
			LEFT JOIN daily ON daily.u = p.u AND daily.cat = p.cat AND daily.d = g.d::date),
		scored AS (
			SELECT s.u, s.cat, s.d, s.n,
			       minqing.auto_alarm(s.n, score => s.d >= date_from - 7 AND s.n >= 5) OVER (PARTITION BY s.u, s.cat ORDER BY s.d) AS a
			FROM series s)
		SELECT s.d, s.u, s.cat, s.n, (s.a).expected, (s.a).threshold, 'auto'::text
		FROM scored s
		WHERE s.d >= date_from AND (s.a).raised
		ORDER BY s.d, s.n - (s.a).threshold DESC, s.u, s.cat;
END $f$;
-- 32-35: community (5) and grid (6) level around the surge, on the city and
-- on its orders from 2024-10-01 on (series start on the first day with any
-- order, less than a year back): every row, in order, equal
CREATE TEMP TABLE alarms_late AS SELECT * FROM alarms_city.work_order WHERE created_at >= '2024-10-01';
SELECT results_eq(format($$SELECT * FROM minqing.alarm_history(%L, %s, '2025-07-01', '2025-10-31')$$, o, l),
                  format($$SELECT * FROM pg_temp.window_alarm_days(%L, %s, '2025-07-01', '2025-10-31')$$, o, l),
                  format('alarm_history(): %s, level %s, 2025-07-01 .. 10-31, the same rows as auto_alarm() over gap-filled series', o, l))
FROM (VALUES ('alarms_city.work_order', 5), ('alarms_city.work_order', 6), ('alarms_late', 5), ('alarms_late', 6)) v (o, l);
-- 36: and there are alarms to compare
SELECT cmp_ok((SELECT count(*) FROM (VALUES ('alarms_city.work_order', 5), ('alarms_city.work_order', 6),
                                            ('alarms_late', 5), ('alarms_late', 6)) v (o, l),
                      minqing.alarm_history(o::regclass, l, '2025-07-01', '2025-10-31')),
              '>=', 10::bigint, 'alarm_history(): at least 10 alarms at community and grid level to compare');
-- 37-38: auto_alarm_run() = auto_alarm() with min_cases 1 (every day with an
-- order is scored: many more fits and alarm days), the 30 busiest community
-- and grid series, every alarm day from 2024-03-01 (without last year, then
-- with it; alarm and raised)
CREATE TEMP TABLE run_series AS
SELECT l, u, cat
FROM (SELECT l, u, cat, row_number() OVER (PARTITION BY l ORDER BY sum(n) DESC, u, cat) AS r
      FROM (SELECT l, d.unit_code AS u, d.category_code AS cat, d.cases AS n
            FROM (VALUES (5), (6)) v (l), minqing.alarm_daily('alarms_city.work_order', l, '2024-01-01', '2025-12-31') d
            WHERE d.unit_code IS NOT NULL) s
      GROUP BY l, u, cat) s
WHERE r <= 30;
CREATE TEMP TABLE run_daily AS
SELECT s.l, s.u, s.cat, d.day, d.cases
FROM run_series s
JOIN LATERAL minqing.alarm_daily('alarms_city.work_order', s.l, '2024-01-01', '2025-12-31') d
  ON d.unit_code = s.u AND d.category_code = s.cat;
CREATE TEMP TABLE run_window AS
SELECT l, u, cat, day, n, (a).*
FROM (SELECT s.l, s.u, s.cat, g.d::date AS day, COALESCE(r.cases, 0) AS n,
             minqing.auto_alarm(COALESCE(r.cases, 0), min_cases => 1, score => g.d >= DATE '2024-03-01' - 7)
               OVER (PARTITION BY s.l, s.u, s.cat ORDER BY g.d) AS a
      FROM run_series s
      CROSS JOIN generate_series(timestamp '2024-01-01', timestamp '2025-12-31', interval '1 day') g (d)
      LEFT JOIN run_daily r ON r.l = s.l AND r.u = s.u AND r.cat = s.cat AND r.day = g.d::date) s
WHERE day >= '2024-03-01' AND (a).alarm;
CREATE TEMP TABLE run_sparse AS
SELECT s.l, s.u, s.cat, a.day, a.observed AS n, a.expected, a.threshold, true AS alarm, a.raised
FROM (SELECT l, u, cat, array_agg(day) AS d, array_agg(cases) AS c FROM run_daily GROUP BY 1, 2, 3) s,
     minqing.auto_alarm_run(s.d, s.c, '2024-03-01', '2025-12-31', '2024-01-01', min_cases => 1) a;
SELECT set_eq($$SELECT * FROM run_sparse WHERE l = 5$$, $$SELECT * FROM run_window WHERE l = 5$$,
              'auto_alarm_run(): = auto_alarm() over the gap-filled series, every alarm day (community level, min_cases 1)');
SELECT set_eq($$SELECT * FROM run_sparse WHERE l = 6$$, $$SELECT * FROM run_window WHERE l = 6$$,
              'auto_alarm_run(): = auto_alarm() over the gap-filled series, every alarm day (grid level, min_cases 1)');
-- 39: the comparison has alarms at both levels, raised and not
SELECT ok(count(*) FILTER (WHERE l = 5) >= 20 AND count(*) FILTER (WHERE l = 6) >= 20
          AND count(*) FILTER (WHERE raised) > 0 AND count(*) FILTER (WHERE NOT raised) > 0,
          format('auto_alarm_run(): %s alarm days compared (%s raised)', count(*), count(*) FILTER (WHERE raised)))
FROM run_window;
-- 40: repeated days add up; the series starts on series_start or the earliest day; no rows without
-- cases, after the series or for NULL input
SELECT ok((SELECT array_agg(day) FROM minqing.auto_alarm_run(
               (SELECT array_agg(DATE '2025-01-01' + i % 70) || DATE '2025-03-11' FROM generate_series(0, 69) i),
               (SELECT array_agg(2::float8) || 30::float8 FROM generate_series(0, 69) i),
               '2025-03-11', '2025-03-11')) = '{2025-03-11}'
          -- day 60 of a series from 2025-01-01 is scored; from 2025-01-02 on it is day 59, too early
          AND EXISTS (SELECT FROM minqing.auto_alarm_run('{2025-01-02,2025-03-01}', '{1,30}', '2025-03-01', '2025-03-01', '2025-01-01'))
          AND NOT EXISTS (SELECT FROM minqing.auto_alarm_run('{2025-01-02,2025-03-01}', '{1,30}', '2025-03-01', '2025-03-01'))
          AND NOT EXISTS (SELECT FROM minqing.auto_alarm_run('{}', '{}', '2025-03-01', '2025-03-01'))
          AND NOT EXISTS (SELECT FROM minqing.auto_alarm_run('{2025-03-01}', '{30}', '2025-03-02', '2025-03-01'))
          AND NOT EXISTS (SELECT FROM minqing.auto_alarm_run(NULL, '{30}', '2025-03-01', '2025-03-01')),
          'auto_alarm_run(): repeated days add up, series_start, no rows without cases, after the series or for NULL input');
-- 41-46: bad input
SELECT throws_ok($$SELECT * FROM minqing.auto_alarm_run('{2025-01-01,2025-01-02}', '{1}', '2025-01-01', '2025-01-10')$$,
                 '2202E', 'auto_alarm_run: days and cases must have the same length', 'auto_alarm_run(): arrays of different lengths');
SELECT throws_ok($$SELECT * FROM minqing.auto_alarm_run('{2025-01-11}', '{1}', '2025-01-01', '2025-01-10', '2025-01-01')$$,
                 '22023', 'auto_alarm_run: day 2025-01-11 is outside the series 2025-01-01 .. 2025-01-10', 'auto_alarm_run(): a day after last_day');
SELECT throws_ok($$SELECT * FROM minqing.auto_alarm_run('{2025-01-01}', '{-1}', '2025-01-01', '2025-01-10')$$,
                 '22023', 'auto_alarm_run: cases must be a finite number at least 0', 'auto_alarm_run(): a negative count');
SELECT throws_ok($$SELECT * FROM minqing.auto_alarm_run('{2025-01-01}', '{NaN}', '2025-01-01', '2025-01-10')$$,
                 '22023', 'auto_alarm_run: cases must be a finite number at least 0', 'auto_alarm_run(): a NaN count');
SELECT throws_ok($$SELECT * FROM minqing.auto_alarm_run('{1800-01-01}', '{1}', '2025-01-01', '2100-01-10')$$,
                 '54000', 'auto_alarm_run: the series has 109583 days, more than the limit of 100000', 'auto_alarm_run(): an oversized series is refused');
SELECT throws_ok($$SELECT * FROM minqing.auto_alarm_run('{2025-01-01}', '{1}', '2025-01-01', '2025-01-10', alpha => NULL)$$,
                 '22004', 'auto_alarm_run: argument alpha must not be NULL', 'auto_alarm_run(): NULL alpha');

-- 47-49: ears_days(), the sparse path of alarm_history(…, 'C1'/'C2'/'C3'),
-- against the query it replaced (the gap-filled series from date_from - 56
-- scored by the ears() window function, as alarm_days ran it before): every
-- row, in order, at street and community level, each method
CREATE FUNCTION pg_temp.window_ears_days(orders regclass, level int, date_from date, date_to date, m text)
	RETURNS TABLE (day date, unit_code text, category_code text, observed float8, expected float8,
		threshold float8, method text)
	LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY
		WITH daily AS (
			SELECT a.unit_code AS u, a.category_code AS cat, a.day AS d, a.cases AS n
			FROM minqing.alarm_daily(orders, level, date_from - 56, date_to) a),
		pairs AS (SELECT DISTINCT daily.u, daily.cat FROM daily WHERE daily.u IS NOT NULL),
		series AS (
			SELECT p.u, p.cat, g.d::date AS d, COALESCE(daily.n, 0) AS n
			FROM pairs p
			CROSS JOIN generate_series((date_from - 56)::timestamp, date_to::timestamp, interval '1 day') AS g (d)
			LEFT JOIN daily ON daily.u = p.u AND daily.cat = p.cat AND daily.d = g.d::date),
		scored AS (
			SELECT s.u, s.cat, s.d, s.n, minqing.ears(s.n, m) OVER (PARTITION BY s.u, s.cat ORDER BY s.d) AS e
			FROM series s)
		SELECT s.d, s.u, s.cat, s.n, (s.e).expected, (s.e).threshold, m
		FROM scored s
		WHERE s.d >= date_from AND (s.e).alarm
		ORDER BY s.d, s.n - (s.e).threshold DESC, s.u, s.cat;
END $f$;
SELECT results_eq(format($$SELECT * FROM minqing.alarm_history('alarms_city.work_order', %s, '2025-09-01', '2025-09-20', %L)$$, l, m),
                  format($$SELECT * FROM pg_temp.window_ears_days('alarms_city.work_order', %s, '2025-09-01', '2025-09-20', %L)$$, l, m),
                  format('alarm_history(): %s, level %s, the same rows as ears() over gap-filled series', m, l))
FROM (VALUES (4, 'C1'), (5, 'C2'), (4, 'C3')) v (l, m);
-- 50: they have alarms to compare
SELECT cmp_ok((SELECT count(*) FROM (VALUES (4, 'C1'), (5, 'C2'), (4, 'C3')) v (l, m),
                      minqing.alarm_history('alarms_city.work_order', l, '2025-09-01', '2025-09-20', m)),
              '>=', 50::bigint, 'alarm_history(): at least 50 EARS alarms compared');
-- 51: ears_days: NULL method or input gives no rows; an unknown method is an error
SELECT ok(NOT EXISTS (SELECT FROM minqing.ears_days('{2025-01-01}', '{3}', '2025-01-01', '2025-01-20', method => NULL))
          AND NOT EXISTS (SELECT FROM minqing.ears_days(NULL, '{3}', '2025-01-01', '2025-01-20'))
          -- from 2025-01-01, 10 and 11 January have 9 and 10 days of history (C2 needs 9): both alarm
          AND (SELECT count(*) FROM minqing.ears_days('{2025-01-10,2025-01-11}', '{5,5}', '2025-01-01', '2025-01-20', '2025-01-01')) = 2
          -- from the earliest day (10 January) there is no history yet
          AND NOT EXISTS (SELECT FROM minqing.ears_days('{2025-01-10,2025-01-11}', '{5,5}', '2025-01-01', '2025-01-20')),
          'ears_days(): NULL input gives no rows; series_start gives the history');

SELECT * FROM finish();
ROLLBACK;
