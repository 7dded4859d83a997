-- make bench cases for class cases and repeat calls (see bench/run.sh for the format).
-- Window functions and set-returning functions: no parallel run.
-- st_dbscan per category over every order of the city (100 m, 3 days,
-- minpoints 2: "duplicates of one event").  There is no hand-written
-- equivalent (ST_ClusterDBSCAN has no time dimension); the reference row is
-- ST_ClusterDBSCAN in space only, per category, on the same rows (projected).
-- bench: st_dbscan per category, 100 m, 3 days, minpoints 2
-- parallel: no
-- minqing: SELECT count(c) FROM (SELECT minqing.st_dbscan(geom, created_at, 100, '3 days', 2) OVER (PARTITION BY category_code) AS c FROM :tbl) s

-- bench: (reference) ST_ClusterDBSCAN per category, space only, 100 m, minpoints 2
-- parallel: no
-- max_size: 1000000
-- minqing: SELECT count(c) FROM (SELECT ST_ClusterDBSCAN(ST_Transform(geom, 32650), 100, 2) OVER (PARTITION BY category_code) AS c FROM :tbl) s

-- bench: repeat_flag over every caller (30 days)
-- parallel: no
-- minqing: SELECT count(*) FILTER (WHERE (r).is_repeat) FROM (SELECT minqing.repeat_flag(caller_id, category_code, created_at) OVER (PARTITION BY caller_id ORDER BY created_at) AS r FROM :tbl) s
-- dba: SELECT count(*) FROM (SELECT created_at - lag(created_at) OVER (PARTITION BY caller_id, category_code ORDER BY created_at) AS gap FROM :tbl) s WHERE gap < interval '30 days'

-- bench: class_cases, one year (2025), defaults
-- parallel: no
-- minqing: SELECT count(*) FROM minqing.class_cases(:'tbl', '2025-01-01 00:00+08', '2026-01-01 00:00+08')

-- bench: knox per category, one year, 200 m, 3 days
-- minqing: SELECT count(k) FROM (SELECT category_code, minqing.knox(geom, created_at, 200, '3 days') AS k FROM :tbl WHERE created_at >= '2025-01-01 00:00+08' GROUP BY 1) s
