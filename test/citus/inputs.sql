-- make test-citus: the test inputs, by name.  Included by checks.sql (on the
-- Citus coordinator) and by test/shell/citus_inputs.sh (in make test, where it
-- checks that every minqing aggregate and window function HAS inputs here, so
-- that a new one is caught before CI's Citus run).
--   arg_expr      an SQL expression per argument name (w is a work_order row)
--   agg_rows      rows an aggregate reads (default: all)
--   window_check  a statement per window function, {schema} for city / single;
--                 columns g (sort key) and r (the value compared)

-- Test inputs by argument name (w is a work_order row).  Daily-series
-- aggregates get one row per order (cases 1): their states sum per day.
-- Local dates and months are taken AT TIME ZONE explicitly anyway: an
-- expression pushed to the workers runs in THEIR TimeZone, not this
-- session's (run.sh gives every node this session's zone).
CREATE TEMP TABLE arg_expr (name text PRIMARY KEY, expr text NOT NULL);
INSERT INTO arg_expr VALUES
	('flag', 'w.resolved'),
	('confidence', '0.9'),
	('responded', 'w.responded'),
	('resolved', 'w.resolved'),
	('satisfied', 'w.satisfied'),
	('geom', 'w.geom'),
	('cell_size', '500'),
	('bandwidth', '1500'),
	('weight', 'CASE WHEN w.satisfied THEN 2 ELSE 1 END'),
	('day', '(w.created_at AT TIME ZONE ''Asia/Shanghai'')::date'),
	('t', 'w.created_at'),
	('cases', '1'),
	('y', '(w.resolved IS TRUE)::int'),
	('policy_date', 'date ''2025-01-01'''),
	('event_start', 'date ''2024-07-01'''),
	('event_end', 'date ''2024-07-10'''),
	('treated', 'substr(w.unit_code, 7, 3)::int % 2 = 0'),
	('post', 'w.created_at >= timestamptz ''2025-01-01 00:00+08'''),
	('cluster', 'left(w.unit_code, 9)'),
	('period', '(extract(year FROM w.created_at AT TIME ZONE ''Asia/Shanghai'') - 2025) * 12 + extract(month FROM w.created_at AT TIME ZONE ''Asia/Shanghai'')'),
	('reference_period', '-1'),
	('category', 'w.category_code'),
	('category_code', 'w.category_code'),
	('caller_id', 'w.caller_id'),
	-- complaint text
	('doc', 'w.content'),
	('content', 'w.content'),
	('unit_code', 'w.unit_code'),
	('department', 'w.department'),
	('channel', 'w.channel'),
	('max_radius', '1000'),
	('max_days', '7'),
	('replications', '19'),
	('seed', '1'),
	('prospective', 'false'),
	('seasonal_period', '7'),
	('eps', '200'),
	('eps_time', 'interval ''3 days'''),
	-- arguments of window functions called generically (check_window)
	('value', '1'), ('distance', '1500'), ('events', '1'), ('population', '1000'),
	('fdr', 'true'), ('permutations', '99'), ('method', '''C2'''), ('within', 'interval ''30 days'''),
	('minpoints', '5');
-- rows an aggregate reads (default: all); keep the scans quick
CREATE TEMP TABLE agg_rows (name text PRIMARY KEY, cond text NOT NULL);
INSERT INTO agg_rows VALUES
	('stscan', 'w.category_code = ''noise'' AND w.created_at < timestamptz ''2024-03-01 00:00+08''');


-- per-unit counts with the unit's point (the spatial windows' usual input)
\set units 'WITH c AS (SELECT unit_code, count(*)::float8 AS n FROM {schema}.work_order WHERE unit_code IS NOT NULL GROUP BY unit_code) SELECT a.code AS g, c.n, a.population, ST_PointOnSurface(a.geom) AS pt, a.geom AS poly FROM c JOIN {schema}.admin_unit a ON a.code = c.unit_code'

-- window functions: each minqing window function has a statement here, or is
-- called generically by checks_functions.sql with arguments from arg_expr
CREATE TEMP TABLE window_check (fn regprocedure, label text, q text);
INSERT INTO window_check VALUES
	('minqing.eb_rate(float8, float8)', 'eb_rate over per-community counts',
	 'SELECT g, minqing.eb_rate(n, population) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.eb_rate_local(float8, float8, geometry, float8)', 'eb_rate_local over per-community counts',
	 'SELECT g, minqing.eb_rate_local(n, population, pt, 2000) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.gi_star(float8, geometry, float8)', 'gi_star over per-community counts',
	 'SELECT g, minqing.gi_star(n, pt, 1500) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.hotspot(float8, geometry, float8, boolean)', 'hotspot over per-community counts',
	 'SELECT g, minqing.hotspot(n, pt, 1500) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.local_moran(float8, geometry, float8)', 'local_moran over per-community counts',
	 'SELECT g, minqing.local_moran(n, pt, 1500) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.local_moran(float8, geometry, float8, int, int)', 'local_moran (99 permutations) over per-community counts',
	 'SELECT g, minqing.local_moran(n, pt, 1500, 99, 7) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.moran(float8, geometry, float8)', 'moran over per-community counts',
	 'SELECT g, minqing.moran(n, pt, 1500) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.moran(float8, geometry, text)', 'moran (queen contiguity) over per-community counts',
	 'SELECT g, minqing.moran(n, poly, ''queen'') OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.gi_star(float8, geometry, text)', 'gi_star (queen contiguity) over per-community counts',
	 'SELECT g, minqing.gi_star(n, poly, ''queen'') OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.hotspot(float8, geometry, text, boolean)', 'hotspot (rook contiguity) over per-community counts',
	 'SELECT g, minqing.hotspot(n, poly, ''rook'') OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.local_moran(float8, geometry, text)', 'local_moran (queen contiguity) over per-community counts',
	 'SELECT g, minqing.local_moran(n, poly, ''queen'') OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.contiguity_neighbors(bigint, geometry, text)', 'contiguity_neighbors of the communities with orders',
	 'SELECT g, minqing.contiguity_neighbors(g::bigint, poly, ''queen'') OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.p_adjust_bh(float8)', 'p_adjust_bh over per-community p-values',
	 'SELECT g, minqing.p_adjust_bh(1 / (1 + n)) OVER () AS r FROM (' || :'units' || ') u'),
	('minqing.colocation(geometry, boolean, boolean, int, int)', 'colocation of noise and parking orders per district (January 2024)',
	 'SELECT w.id AS g, minqing.colocation(w.geom, w.category_code = ''noise'', w.category_code = ''parking'', 99, 1)
	         OVER (PARTITION BY left(w.unit_code, 6)) AS r
	  FROM {schema}.work_order w WHERE w.created_at < timestamptz ''2024-02-01 00:00+08'' AND w.unit_code IS NOT NULL'),
	('minqing.farrington(float8, int, int, int, float8)', 'farrington over weekly counts per district',
	 'WITH d AS (SELECT left(unit_code, 6) AS district, date_trunc(''week'', created_at AT TIME ZONE ''Asia/Shanghai'')::date AS wk,
	                    count(*)::float8 AS n
	             FROM {schema}.work_order WHERE unit_code IS NOT NULL GROUP BY 1, 2)
	  SELECT district || wk AS g, minqing.farrington(n, 52) OVER (PARTITION BY district ORDER BY wk) AS r FROM d'),
	('minqing.auto_alarm(float8, float8, float8, boolean)', 'auto_alarm over daily counts per district (June 2025 scored)',
	 'WITH d AS (SELECT left(unit_code, 6) AS district, (created_at AT TIME ZONE ''Asia/Shanghai'')::date AS day, count(*)::float8 AS n
	             FROM {schema}.work_order WHERE unit_code IS NOT NULL GROUP BY 1, 2)
	  SELECT district || day AS g, minqing.auto_alarm(n, 0.001, 5, day >= date ''2025-06-01'') OVER (PARTITION BY district ORDER BY day) AS r
	  FROM d'),
	('minqing.ears(float8, text)', 'ears C2 over daily counts per district',
	 'WITH d AS (SELECT left(unit_code, 6) AS district, (created_at AT TIME ZONE ''Asia/Shanghai'')::date AS day, count(*)::float8 AS n
	             FROM {schema}.work_order WHERE unit_code IS NOT NULL GROUP BY 1, 2)
	  SELECT district || day AS g, minqing.ears(n, ''C2'') OVER (PARTITION BY district ORDER BY day) AS r FROM d'),
	('minqing.term_burst(float8, float8, float8, float8)', 'term_burst of noise orders among daily orders per district',
	 'WITH d AS (SELECT left(unit_code, 6) AS district, (created_at AT TIME ZONE ''Asia/Shanghai'')::date AS day,
	                    count(*)::float8 AS docs, count(*) FILTER (WHERE category_code = ''noise'')::float8 AS hits
	             FROM {schema}.work_order WHERE unit_code IS NOT NULL GROUP BY 1, 2)
	  SELECT district || day AS g, minqing.term_burst(docs, hits) OVER (PARTITION BY district ORDER BY day) AS r FROM d'),
	('minqing.ears(float8, text)', 'ears C3 over PARTITION BY id (the distribution column: runs on the shards)',
	 'SELECT id AS g, minqing.ears(1, ''C3'') OVER (PARTITION BY id ORDER BY created_at) AS r FROM {schema}.work_order');

