-- pgTAP: stscan() on generated data with and without a planted cluster,
-- forced-parallel plans, cancellation by statement_timeout; ears() NULLs.
BEGIN;
SELECT plan(19);

-- 10 × 10 locations 100 m apart (UTM 50N), 60 days, deterministic noise of
-- 0..2 cases a location-day (hash of location and day, mean 1).
CREATE TABLE warn_grid AS
SELECT i, d, ST_SetSRID(ST_MakePoint(500000 + 100 * (i % 10), 3300000 + 100 * (i / 10)), 32650) AS geom,
       DATE '2025-01-01' + d AS day,
       (abs(hashint4(i * 1000 + d)) % 3)::float8 AS cases
FROM generate_series(0, 99) i, generate_series(0, 59) d;

-- planted: +3 cases a day in the 3 × 3 block around location 44 on days 30..33
CREATE TABLE warn_planted AS
SELECT geom, day, cases + CASE WHEN i % 10 BETWEEN 3 AND 5 AND i / 10 BETWEEN 3 AND 5 AND d BETWEEN 30 AND 33
                               THEN 3 ELSE 0 END AS cases
FROM warn_grid;
CREATE TABLE warn_found AS
SELECT (unnest(minqing.stscan(geom, day, cases, 150, 7, 199, 1))).* FROM warn_planted;

SELECT ok(rank = 1 AND p <= 0.01 AND ST_Equals(center, ST_SetSRID(ST_MakePoint(500400, 3300400), 32650))
          AND locations = 9 AND day_start = DATE '2025-01-31' AND day_end = DATE '2025-02-03',
          'stscan(): the planted 3 × 3 × 4-day cluster is the first cluster, exactly, p <= 0.01')
FROM warn_found WHERE rank = 1;
SELECT ok(bool_and(p > 0.05), 'stscan(): no secondary cluster is significant') FROM warn_found WHERE rank > 1;
SELECT ok(bool_and(p >= 0.005) AND min(p) = 0.005, 'stscan(): p-values are (1 + exceedances)/(R + 1) with R = 199')
FROM warn_found;
SELECT is((SELECT count(*) FROM warn_found f JOIN warn_found g ON f.rank < g.rank
           WHERE f.day_start <= g.day_end AND g.day_start <= f.day_end
             AND ST_DWithin(f.center, g.center, f.radius + g.radius)
             AND EXISTS (SELECT 1 FROM warn_grid w WHERE ST_DWithin(w.geom, f.center, f.radius) AND ST_DWithin(w.geom, g.center, g.radius))),
          0::bigint, 'stscan(): clusters share no location-day');

-- brute force: every cylinder enumerated in SQL (5 × 5 locations, 12 days,
-- radius <= 150 m, 1..3 days); the scan's rank-1 LLR is the largest of all
CREATE TABLE warn_small AS
SELECT geom, day, cases + CASE WHEN i IN (6, 7, 11) AND d BETWEEN 4 AND 5 THEN 2 ELSE 0 END AS cases
FROM warn_grid WHERE i % 10 < 5 AND i / 10 < 5 AND d < 12;
CREATE FUNCTION pg_temp.warn_brute(prospective boolean) RETURNS float8 LANGUAGE sql AS $$
WITH loc AS (SELECT DISTINCT geom FROM warn_small),
     lim AS (SELECT min(day) AS d0, max(day) AS d1, sum(cases) AS c_all FROM warn_small),
     zones AS (SELECT DISTINCT c.geom AS center, ST_Distance(c.geom, l.geom) AS radius
               FROM loc c JOIN loc l ON ST_Distance(c.geom, l.geom) <= 150),
     wins AS (SELECT s AS ws, s + m - 1 AS we FROM lim, generate_series(lim.d0, lim.d1, interval '1 day') g (s0),
                     LATERAL (SELECT g.s0::date AS s) q, generate_series(1, 3) m
              WHERE s + m - 1 <= lim.d1 AND (NOT prospective OR s + m - 1 = lim.d1)),
     cyl AS (SELECT sum(x.cases) FILTER (WHERE ST_Distance(x.geom, z.center) <= z.radius AND x.day BETWEEN w.ws AND w.we) AS c,
                    sum(x.cases) FILTER (WHERE ST_Distance(x.geom, z.center) <= z.radius)
                    * sum(x.cases) FILTER (WHERE x.day BETWEEN w.ws AND w.we) / min(lim.c_all) AS mu, min(lim.c_all) AS c_all
             FROM zones z CROSS JOIN wins w CROSS JOIN warn_small x CROSS JOIN lim
             GROUP BY z.center, z.radius, w.ws, w.we)
SELECT max(CASE WHEN c > mu THEN c * ln(c / mu) + (c_all - c) * ln((c_all - c) / (c_all - mu)) ELSE 0 END) FROM cyl
$$;
SELECT ok(abs((SELECT (c).llr FROM unnest((SELECT minqing.stscan(geom, day, cases, 150, 3, 9, 1) FROM warn_small)) c
               WHERE (c).rank = 1) - pg_temp.warn_brute(false)) < 1e-9,
          'stscan(): rank 1 has the largest LLR of all cylinders (brute force in SQL)');
SELECT ok(abs((SELECT (c).llr FROM unnest((SELECT minqing.stscan(geom, day, cases, 150, 3, 9, 1, true) FROM warn_small)) c
               WHERE (c).rank = 1) - pg_temp.warn_brute(true)) < 1e-9,
          'stscan(prospective): rank 1 has the largest LLR of the windows ending on the last day (brute force)');

-- without the plant: nothing significant
SELECT ok(bool_and(p > 0.05), 'stscan(): noise alone gives no significant cluster')
FROM unnest((SELECT minqing.stscan(geom, day, cases, 150, 7, 199, 1) FROM warn_grid)) c;
-- prospective on the plant ending on the last day
SELECT ok((c).p <= 0.01 AND (c).day_end = DATE '2025-03-01', 'stscan(prospective): a surge on the last days is found')
FROM unnest((SELECT minqing.stscan(geom, day, cases + CASE WHEN day >= DATE '2025-02-27' AND ST_X(geom) < 500150 AND ST_Y(geom) < 3300150 THEN 4 ELSE 0 END,
                                   150, 7, 199, 1, true) FROM warn_grid)) c
WHERE (c).rank = 1;

-- forced parallel plans give the serial answer (tap.orders: 200k committed rows,
-- points snapped to a 0.02° grid so each category has ~120 locations)
SELECT ok(partial_aggregate AND parallel = serial, 'stscan(): Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT category_code, minqing.stscan(ST_SnapToGrid(geom, 0.02), created_at::date, 1, 2500, 3, 9, 1)
                          FROM tap.orders GROUP BY 1$$);
SELECT ok(partial_aggregate AND parallel = serial, 'stscan(prospective): Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT minqing.stscan(ST_SnapToGrid(geom, 0.02), created_at::date, 1, 2500, 3, 19, 1, true)
                          FROM tap.orders$$);

-- a scan with a million replications stops promptly on statement_timeout
-- (PL/pgSQL catches query_canceled only by name, so throws_ok cannot)
CREATE FUNCTION pg_temp.warn_cancel() RETURNS interval LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	PERFORM minqing.stscan(geom, day, cases, 150, 7, 1000000, 1) FROM warn_planted;
	RETURN NULL;
EXCEPTION WHEN query_canceled THEN
	RETURN clock_timestamp() - t0;
END $$;
SET LOCAL statement_timeout = '1s';
SELECT ok(pg_temp.warn_cancel() < interval '5 s',
          'stscan(): 1,000,000 replications are cancelled promptly by statement_timeout');
RESET statement_timeout;
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE '%1000000, 1) FROM warn_planted%' AND pid <> pg_backend_pid()),
          'stscan(): nothing left running after the cancel');

-- ears(): NULL until enough history, NULL rows, empty partition
SELECT is((SELECT array_agg(e IS NULL ORDER BY d) FROM (SELECT d, minqing.ears(x, 'C1') OVER (ORDER BY d) AS e
           FROM (SELECT d, CASE WHEN d = 9 THEN NULL ELSE d END::float8 AS x FROM generate_series(1, 10) d) s) q),
          ARRAY[true, true, true, true, true, true, true, false, true, false],
          'ears(C1): NULL for the first 7 periods and for a NULL row');
SELECT is((SELECT count(*) FROM (SELECT minqing.ears(x) OVER (ORDER BY x) FROM (SELECT 1::float8 WHERE false) s (x)) q),
          0::bigint, 'ears(): empty input gives no rows');
SELECT throws_ok($$SELECT minqing.stscan(ST_SetSRID(ST_Point(x, 30), 4326), date '2024-01-01', 1, 1000, 2) FROM (VALUES (120), (190)) v(x)$$,
                 '22023', 'stscan: longitude/latitude out of range for SRID 4326', 'stscan refuses longitudes beyond 180');
-- ears_run: bad arrays are clear errors
SELECT throws_ok($$SELECT minqing.ears_run(ARRAY[0, 1], ARRAY[1.0]::float8[], 10)$$, '2202E',
                 'ears_run: day_offsets and cases must have the same length', 'ears_run refuses arrays of different lengths');
SELECT throws_ok($$SELECT minqing.ears_run(ARRAY[0, NULL], ARRAY[1.0, 2.0]::float8[], 10)$$, '22004',
                 'ears_run: day_offsets and cases must not contain NULLs', 'ears_run refuses NULL elements');
SELECT throws_ok($$SELECT minqing.ears_run(ARRAY[10], ARRAY[1.0]::float8[], 10)$$, '22023',
                 'ears_run: day offset 10 is outside 0 .. 9', 'ears_run refuses offsets past the series');
SELECT throws_ok($$SELECT minqing.ears_run(ARRAY[0], ARRAY[1.0]::float8[], 0)$$, '22023',
                 'ears_run: ndays must be between 1 and 100000', 'ears_run refuses an empty series');

SELECT * FROM finish();
ROLLBACK;
