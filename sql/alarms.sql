-- alarms people can trust (SPEC §11): farrington(), auto_alarm(),
-- alarm_history(), generate_city(…, events => false)  (tagged f.. farrington,
-- a.. auto_alarm, h.. alarm_history, g.. generator, e.. errors).  The R
-- comparison of farrington() is in test/pgtap/alarms.sql.
SET extra_float_digits = 0;

-- f1: three years of weekly counts with a yearly season and an outbreak in
-- weeks 150..152; farrington(cases, 52, b => 2) flags the outbreak
CREATE TEMP TABLE weekly AS
SELECT t, (round(10 + 6 * cos(2 * pi() * t / 52)) + CASE WHEN t BETWEEN 150 AND 152 THEN 14 ELSE 0 END
          + (abs(hashint4(t)) % 5))::float8 AS cases
FROM generate_series(1, 156) t;
SELECT 'f1', t, cases, round((f).expected::numeric, 3) AS expected, round((f).upperbound::numeric, 3) AS upperbound, (f).alarm
FROM (SELECT t, cases, minqing.farrington(cases, 52, b => 2) OVER (ORDER BY t) AS f FROM weekly) s
WHERE t BETWEEN 145 AND 156 ORDER BY t;
-- f2: NULL for the first b·period + w = 107 weeks, a result from week 108
SELECT 'f2', min(t) FILTER (WHERE f IS NOT NULL) AS first_result, count(*) FILTER (WHERE f IS NULL) AS nulls
FROM (SELECT t, minqing.farrington(cases, 52, 2) OVER (ORDER BY t) AS f FROM weekly) s;
-- f3: fewer than 5 cases in the last 4 periods: no bound, no alarm (R's limit54)
SELECT 'f3', t, round((f).expected::numeric, 6) AS expected, round((f).upperbound::numeric, 6) AS upperbound, (f).alarm
FROM (SELECT t, minqing.farrington(CASE WHEN t > 60 THEN 1 ELSE 3 END, 52, 1, 3) OVER (ORDER BY t) AS f
      FROM generate_series(1, 64) t) s
WHERE t >= 60;

-- a1: auto_alarm on 15 months of a flat daily series with a weekday cycle
-- and a jump on the last two days
SELECT 'a1', day, n, round((a).expected::numeric, 3) AS expected, round((a).threshold::numeric, 3) AS threshold,
       (a).alarm, (a).raised
FROM (SELECT day, n, minqing.auto_alarm(n) OVER (ORDER BY day) AS a
      FROM (SELECT d::date AS day,
                   CASE WHEN d >= '2025-03-30' THEN 25 WHEN extract(isodow FROM d) >= 6 THEN 4 ELSE 8 END::float8 AS n
            FROM generate_series(DATE '2024-01-01', DATE '2025-03-31', interval '1 day') d) s) s
WHERE day >= '2025-03-26' ORDER BY day;

-- g1: a calm city has no surge, storm or policy; its ebike orders in the
-- surge window are what the default city has without the surge
SET TimeZone = 'Asia/Shanghai';
SET client_min_messages = warning;
SELECT 'g1', minqing.generate_city('alarms_default', 20000, 42), minqing.generate_city('alarms_calm', 20000, 42, events => false);
SELECT 'g2', kind, count(*) FROM alarms_calm.planted GROUP BY kind ORDER BY kind;
SELECT 'g3', (SELECT count(*) FROM alarms_default.work_order WHERE category_code = 'ebike_charging'
              AND created_at >= '2025-09-08' AND created_at < '2025-10-06') AS default_city,
             (SELECT count(*) FROM alarms_calm.work_order WHERE category_code = 'ebike_charging'
              AND created_at >= '2025-09-08' AND created_at < '2025-10-06') AS calm_city;
-- h1: alarm_history on the calm city: no alarm on the surge street
SELECT 'h1', count(*) AS surge_street_alarms
FROM minqing.alarm_history('alarms_calm.work_order', 4, '2025-09-01', '2025-09-30', units => 'alarms_calm.admin_unit') h,
     alarms_default.planted p
WHERE p.kind = 'surge' AND h.unit_code = minqing.admin_ancestor(p.unit_codes[1], 4) AND h.category_code = p.category_code;
-- h2: C2 still works through alarm_history, every alarm day listed
SELECT 'h2', method, count(*) > 0 AS has_alarms, bool_and(observed > threshold) AS consistent
FROM minqing.alarm_history('alarms_default.work_order', 4, '2025-09-01', '2025-09-30', 'C2') GROUP BY method;
RESET client_min_messages;

-- errors
SELECT 'e1', minqing.farrington(1, 52, 0) OVER (ORDER BY t) FROM generate_series(1, 3) t;
SELECT 'e2', minqing.farrington(1, 52, 1, 30) OVER (ORDER BY t) FROM generate_series(1, 3) t;
SELECT 'e3', minqing.farrington(1, CASE WHEN t = 2 THEN 53 ELSE 52 END) OVER (ORDER BY t) FROM generate_series(1, 3) t;
SELECT 'e4', minqing.farrington(1, 52, 1, 3, NULL) OVER (ORDER BY t) FROM generate_series(1, 3) t;
SELECT 'e5', minqing.farrington(1, 52) OVER (ORDER BY t % 2) FROM generate_series(1, 3) t;
SELECT 'e6', minqing.auto_alarm(-1) OVER (ORDER BY t) FROM generate_series(1, 3) t;
SELECT 'e7', * FROM minqing.alarm_history('alarms_calm.work_order', 4, '2025-09-01', '2025-09-30', 'C4');
SELECT 'e8', * FROM minqing.alarm_history('alarms_calm.work_order', 0, '2025-09-01', '2025-09-30');
SELECT 'e9', * FROM minqing.alarm_history('alarms_calm.work_order', 4, '2015-09-01', '2025-09-30');
SELECT 'e10', count(*) FROM minqing.alarm_history('alarms_calm.work_order', 4, NULL, '2025-09-30');
SET client_min_messages = warning;
DROP SCHEMA alarms_default CASCADE;
DROP SCHEMA alarms_calm CASCADE;
