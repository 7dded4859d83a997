-- rate() and kpi(): a worked example a reader can check by hand (tagged r1..)
-- 3 of 10 true at 95%: z = 1.959964, Wilson (0.1078, 0.6032)
SELECT 'r1', (r).n, (r).k, (r).p, round((r).lo::numeric, 4) AS lo, round((r).hi::numeric, 4) AS hi
FROM (SELECT minqing.rate(i <= 3) r FROM generate_series(1, 10) i) s;
-- every k = 0 and k = n interval touches its bound exactly
SELECT 'r2', (minqing.rate(false)).lo, (minqing.rate(true)).hi;
-- grouped, flat columns for BI tools
SELECT 'r3', g, (minqing.rate(f)).*
FROM (VALUES ('a', true), ('a', false), ('a', NULL), ('b', true)) v(g, f) GROUP BY g ORDER BY g;
-- kpi: 4 orders; response 2/3, resolution 1/2, satisfaction 1/2; score = 100(0.1·2/3 + 0.5·1/2 + 0.4·1/2)
SELECT 'k1', (k).orders, round((k).response_rate::numeric, 4), (k).resolution_rate, (k).satisfaction_rate,
       round((k).score::numeric, 4)
FROM (SELECT minqing.kpi(a, b, c) k
      FROM (VALUES (true, true, true), (true, false, NULL), (false, NULL, false),
                   (NULL::boolean, NULL::boolean, NULL::boolean)) v(a, b, c)) s;
SHOW minqing.kpi_weights;
-- errors
SELECT 'e1', minqing.rate(true, 0);
SELECT 'e2', minqing.rate(true, 'Infinity');
SET minqing.kpi_weights = 'a,b,c';
