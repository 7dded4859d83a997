-- pgTAP: farrington() against R surveillance farringtonFlexible (fixture
-- alarms_fixture.psql, made by test/reference/alarms_farrington.R), its
-- NULLs and bad input; auto_alarm() and alarm_history() on a small city.
BEGIN;
SELECT plan(17);

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
