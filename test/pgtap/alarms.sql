-- pgTAP: farrington() against R surveillance farringtonFlexible (fixture
-- alarms_fixture.psql, made by test/reference/alarms_farrington.R), its
-- NULLs and bad input; auto_alarm() and alarm_history() on a small city.
BEGIN;
SELECT plan(31);

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

SELECT * FROM finish();
ROLLBACK;
