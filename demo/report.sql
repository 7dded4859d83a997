-- demo/report.sql — the self-contained HTML report of a city (make demo).
--   psql -X -v schema=demo -v out=/tmp/report.html -f demo/report.sql
-- Reads :schema.work_order, :schema.admin_unit and (if present)
-- :schema.planted; writes one HTML file with inline CSS and inline SVG drawn
-- from PostGIS geometry (ST_AsSVG), no scripts, no network.  Every panel is
-- computed by the minqing function it names in its caption (sentiment_index,
-- kde/grid_cells, hotspot, auto_alarm, its/did, resilience, class_cases,
-- repeat_kpi, term_counts / top_terms when the orders carry complaint text).
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;
SET jit = off;
SELECT set_config('TimeZone', :'tz', false) \g /dev/null

SELECT n.nspname AS postgis_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'postgis' \gset
SELECT set_config('search_path', format('pg_temp, %I, pg_catalog', :'postgis_schema'), false) \g /dev/null

SELECT extversion AS mq_version FROM pg_extension WHERE extname = 'minqing' \gset
SELECT to_regclass(format('%I.planted', :'schema')) IS NOT NULL AS has_planted \gset

CREATE TEMP VIEW wo AS SELECT * FROM :"schema".work_order;
CREATE TEMP VIEW units AS SELECT * FROM :"schema".admin_unit;
SELECT format('%I.work_order', :'schema') AS wo_rel, format('%I.admin_unit', :'schema') AS units_rel \gset

----------------------------------------------------------------------------
-- helpers: map frame, colours, escaping, a small SVG chart renderer
----------------------------------------------------------------------------
-- the map frame: Web Mercator, scaled to 620 px wide
CREATE TEMP TABLE frame AS
SELECT ST_XMin(e) AS x0, ST_YMax(e) AS y1, 620 / (ST_XMax(e) - ST_XMin(e)) AS k,
       620 AS w, ceil(620 * (ST_YMax(e) - ST_YMin(e)) / (ST_XMax(e) - ST_XMin(e)))::int AS h, e
FROM (SELECT ST_Extent(ST_Transform(geom, 3857))::geometry AS e
      FROM units WHERE geom IS NOT NULL AND level >= 3) s;

CREATE FUNCTION pg_temp.svgp(g geometry) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT ST_AsSVG(ST_Scale(ST_Translate(ST_Transform(g, 3857), -f.x0, -f.y1), f.k, f.k), 0, 1) FROM frame f
$$;
CREATE FUNCTION pg_temp.esc(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT replace(replace(replace(replace(coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
$$;
CREATE FUNCTION pg_temp.ramp(t float8, stops text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n int := array_length(stops, 1);
	u float8; a int; f float8; c text := '#';
BEGIN
	IF t IS NULL OR t = 'NaN' THEN RETURN '#d9d9d9'; END IF;
	u := greatest(0, least(1, t)) * (n - 1);
	a := least(floor(u)::int, n - 2);
	f := u - a;
	FOR p IN 0..2 LOOP
		c := c || lpad(to_hex(round(('x' || substr(stops[a + 1], 2 + 2 * p, 2))::bit(8)::int * (1 - f)
		                          + ('x' || substr(stops[a + 2], 2 + 2 * p, 2))::bit(8)::int * f)::int), 2, '0');
	END LOOP;
	RETURN c;
END
$$;
CREATE FUNCTION pg_temp.pct(v float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN '–' ELSE to_char(100 * v, 'FM990.0') || '%' END
$$;
CREATE FUNCTION pg_temp.num(v float8, d int DEFAULT 1) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL OR v = 'NaN' THEN '–' ELSE round(v::numeric, d)::text END
$$;

-- chart data: points of series, their styles, vertical day markers
CREATE TEMP TABLE chart_pt (chart text, series text, day date, v float8);
CREATE TEMP TABLE chart_style (chart text, series text, color text, dash text DEFAULT '', width float8 DEFAULT 1.5,
                               kind text DEFAULT 'line', label text, ord int DEFAULT 0);
CREATE TEMP TABLE chart_mark (chart text, day date, label text, color text DEFAULT '#555');

-- renders one chart as inline SVG: time on x, values from 0 on y
CREATE FUNCTION pg_temp.chart(c text, w int DEFAULT 620, h int DEFAULT 250) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d0 date; d1 date; vmax float8; step float8;
	ml int := 46; mr int := 24; mt int := 22; mb int := 26;
	pw float8 := w - ml - mr; ph float8 := h - mt - mb;
	span float8;
	svg text;
	r record;
	lx int := 0;
BEGIN
	SELECT min(day), max(day), max(v) INTO d0, d1, vmax FROM chart_pt WHERE chart = c AND v IS NOT NULL;
	IF d0 IS NULL THEN
		RETURN '<p class="na">no data · 无数据</p>';
	END IF;
	span := greatest(d1 - d0, 1);
	vmax := greatest(vmax, 1e-9);
	step := 10 ^ floor(log(vmax / 4));
	step := CASE WHEN vmax / step > 20 THEN 5 * step WHEN vmax / step > 8 THEN 2 * step ELSE step END;
	vmax := ceil(vmax / step) * step;
	svg := format('<svg class="chart" viewBox="0 0 %s %s" width="%s" height="%s" xmlns="http://www.w3.org/2000/svg">', w, h, w, h);
	-- y grid and labels
	FOR r IN SELECT g * step AS v FROM generate_series(0, round(vmax / step)::int) g LOOP
		svg := svg || format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="grid"/><text x="%s" y="%s" class="ax" text-anchor="end">%s</text>',
			ml, w - mr, round((mt + (1 - r.v / vmax) * ph)::numeric, 1), round((mt + (1 - r.v / vmax) * ph)::numeric, 1),
			ml - 4, round((mt + (1 - r.v / vmax) * ph + 4)::numeric, 1),
			CASE WHEN step >= 1 THEN to_char(r.v, 'FM999G999G990') ELSE round(r.v::numeric, 3)::text END);
	END LOOP;
	-- x ticks: month starts for long spans, weeks otherwise
	FOR r IN
		SELECT d::date AS d FROM generate_series(date_trunc('month', d0::timestamp) + interval '1 month', d1,
		                                         CASE WHEN span > 200 THEN interval '2 months' ELSE interval '1 month' END) d WHERE span > 100
		UNION ALL
		SELECT d::date FROM generate_series(d0::timestamp, d1, CASE WHEN span > 45 THEN interval '14 days' ELSE interval '7 days' END) d WHERE span <= 100
		ORDER BY 1
	LOOP
		svg := svg || format('<line x1="%s" x2="%s" y1="%s" y2="%s" class="tick"/><text x="%s" y="%s" class="ax" text-anchor="middle">%s</text>',
			round((ml + (r.d - d0) / span * pw)::numeric, 1), round((ml + (r.d - d0) / span * pw)::numeric, 1), mt + ph, mt + ph + 4,
			round((ml + (r.d - d0) / span * pw)::numeric, 1), h - 8,
			CASE WHEN span > 100 THEN to_char(r.d, 'YYYY-MM') ELSE to_char(r.d, 'MM-DD') END);
	END LOOP;
	-- markers
	FOR r IN SELECT * FROM chart_mark WHERE chart = c ORDER BY day LOOP
		svg := svg || format('<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-dasharray="4 3"/><text x="%s" y="%s" class="mark" fill="%s">%s</text>',
			round((ml + (r.day - d0) / span * pw)::numeric, 1), round((ml + (r.day - d0) / span * pw)::numeric, 1), mt, mt + ph, r.color,
			round((ml + (r.day - d0) / span * pw + 3)::numeric, 1), mt + 10, r.color, pg_temp.esc(r.label));
	END LOOP;
	-- series: areas first, then lines, then dots
	FOR r IN
		SELECT s.*, (SELECT string_agg(format('%s,%s', round((ml + (p.day - d0) / span * pw)::numeric, 1),
		                                       round((mt + (1 - p.v / vmax) * ph)::numeric, 1)), ' ' ORDER BY p.day)
		             FROM chart_pt p WHERE p.chart = c AND p.series = s.series AND p.v IS NOT NULL) AS pts
		FROM chart_style s WHERE s.chart = c
		ORDER BY CASE s.kind WHEN 'area' THEN 0 WHEN 'line' THEN 1 ELSE 2 END, s.ord
	LOOP
		CONTINUE WHEN r.pts IS NULL;
		IF r.kind = 'area' THEN
			svg := svg || format('<polygon points="%s,%s %s %s,%s" fill="%s" stroke="none"/>',
				round((ml + ((SELECT min(day) FROM chart_pt WHERE chart = c AND series = r.series) - d0) / span * pw)::numeric, 1), mt + ph,
				r.pts,
				round((ml + ((SELECT max(day) FROM chart_pt WHERE chart = c AND series = r.series) - d0) / span * pw)::numeric, 1), mt + ph,
				r.color);
		ELSIF r.kind = 'line' THEN
			svg := svg || format('<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" stroke-dasharray="%s" stroke-linejoin="round"/>',
				r.pts, r.color, r.width, r.dash);
		ELSE
			svg := svg || (SELECT string_agg(format('<circle cx="%s" cy="%s" r="%s" fill="%s"/>',
				round((ml + (p.day - d0) / span * pw)::numeric, 1), round((mt + (1 - p.v / vmax) * ph)::numeric, 1), r.width, r.color), '')
				FROM chart_pt p WHERE p.chart = c AND p.series = r.series AND p.v IS NOT NULL);
		END IF;
	END LOOP;
	-- legend
	FOR r IN SELECT * FROM chart_style WHERE chart = c AND label IS NOT NULL ORDER BY ord, series LOOP
		svg := svg || format('<g transform="translate(%s,6)">%s<text x="22" y="9" class="lg">%s</text></g>',
			ml + lx,
			CASE WHEN r.kind = 'dot' THEN format('<circle cx="8" cy="5" r="3.5" fill="%s"/>', r.color)
			     WHEN r.kind = 'area' THEN format('<rect x="0" y="1" width="16" height="9" fill="%s"/>', r.color)
			     ELSE format('<line x1="0" x2="16" y1="5" y2="5" stroke="%s" stroke-width="2.5" stroke-dasharray="%s"/>', r.color, r.dash) END,
			pg_temp.esc(r.label));
		lx := lx + 30 + round(6.2 * length(r.label) + 2.6 * (octet_length(r.label) - length(r.label)))::int;
	END LOOP;
	RETURN svg || '</svg>';
END
$$;

----------------------------------------------------------------------------
-- the data behind the panels
----------------------------------------------------------------------------
-- one pass over the orders: local day, street, category and the Web Mercator point
CREATE TEMP TABLE o AS
SELECT created_at::date AS day,
       -- grid codes (level 6) count for their community: the report's finest level
       CASE WHEN minqing.admin_level(unit_code) = 6 THEN minqing.admin_ancestor(unit_code, 5) ELSE unit_code END AS unit_code,
       CASE WHEN minqing.admin_level(unit_code) >= 4 THEN minqing.admin_ancestor(unit_code, 4) END AS street,
       category_code, ST_Transform(geom, 3857) AS p
FROM wo;
ANALYZE o;
CREATE TEMP TABLE city_daily AS SELECT day, count(*) AS n FROM o GROUP BY day;
ANALYZE city_daily;
CREATE TEMP TABLE city AS
SELECT (k).orders, first_day, last_day, located, (k).response_rate, (k).resolution_rate, (k).satisfaction_rate, (k).score
FROM (SELECT min(created_at)::date AS first_day, max(created_at)::date AS last_day,
             count(geom) AS located, minqing.kpi(responded, resolved, satisfied) AS k
      FROM wo) s;
-- the ranking period: the last three calendar months with data
CREATE TEMP TABLE period AS
SELECT greatest(date_trunc('month', last_day::timestamp) - interval '2 months', first_day::timestamp)::timestamptz AS p0,
       (date_trunc('month', last_day::timestamp) + interval '1 month')::timestamptz AS p1
FROM city;
SELECT to_char(p0, 'YYYY-MM-DD') AS p0, to_char(p1 - interval '1 day', 'YYYY-MM-DD') AS p1_last FROM period \gset

-- ground truth planted by generate_city, normalised: kind, unit_code, day_start, day_end, geom
CREATE TEMP TABLE truth (kind text, unit_code text, day_start date, day_end date, geom geometry, note text, category text);
\if :has_planted
\ir report_planted.sql
\endif

-- 1. street index ---------------------------------------------------------
CREATE TEMP TABLE street (unit_code text, unit_name text, orders bigint, complaints_per_10k float8,
	response_rate float8, resolution_rate float8, satisfaction_rate float8, score float8, rank int,
	rank_lo int, rank_hi int, quadrant text, geom geometry);
INSERT INTO street
SELECT s.unit_code, s.unit_name, s.orders, s.complaints_per_10k, s.response_rate, s.resolution_rate,
       s.satisfaction_rate, s.score, s.rank, s.rank_lo, s.rank_hi, s.quadrant, u.geom
FROM minqing.sentiment_index(:'wo_rel'::regclass, 4, (SELECT p0 FROM period), (SELECT p1 FROM period),
                             NULL, :'units_rel'::regclass) s
LEFT JOIN units u ON u.code = s.unit_code;
SELECT 'minqing.sentiment_index (shrunk score, 90% rank interval)' AS index_src,
       'minqing.sentiment_index（收缩后的得分，90%排名区间）' AS index_src_zh \gset
CREATE TEMP TABLE street_range AS SELECT min(score) AS lo, max(score) AS hi, count(*) AS n FROM street;

-- 2. density grid and hotspots (Web Mercator metres) --------------------------
-- KDE cells: 1/100 of the frame width; bandwidth 2 cells; hotspot cells 1/40
CREATE TEMP TABLE dens_par AS
SELECT (ST_XMax(e) - ST_XMin(e)) / 100 AS s, 2 * (ST_XMax(e) - ST_XMin(e)) / 100 AS h,
       (ST_XMax(e) - ST_XMin(e)) / 40 AS hs FROM frame;
CREATE TEMP TABLE dens (geom geometry, value float8);
INSERT INTO dens
SELECT c.geom, c.value
FROM (SELECT minqing.kde(p, (SELECT s FROM dens_par), (SELECT h FROM dens_par)) AS g FROM o) k,
     minqing.grid_cells(k.g) c;
SELECT 'minqing.kde (quartic kernel)' AS kde_src, 'minqing.kde（四次核）' AS kde_src_zh \gset
CREATE TEMP TABLE hot_cell AS
SELECT floor(ST_X(p) / hs)::int AS i, floor(ST_Y(p) / hs)::int AS j, count(*) AS n, hs
FROM (SELECT p, (SELECT hs FROM dens_par) AS hs FROM o WHERE p IS NOT NULL) q
GROUP BY 1, 2, 4;
CREATE TEMP TABLE hot (i int, j int, n bigint, z float8, bin int, geom geometry);
INSERT INTO hot
SELECT i, j, n, (hz).z, (hz).bin, ST_MakeEnvelope(i * hs, j * hs, (i + 1) * hs, (j + 1) * hs, 3857)
FROM (SELECT c.*, minqing.hotspot(n::float8, ST_SetSRID(ST_MakePoint((i + 0.5) * hs, (j + 0.5) * hs), 3857), 1.5 * hs)
                     OVER () AS hz FROM hot_cell c) q;
SELECT 'minqing.hotspot (Gi*, FDR-corrected bins)' AS hot_src, 'minqing.hotspot（Gi*，FDR 校正）' AS hot_src_zh \gset
CREATE TEMP TABLE dens_range AS
SELECT max(value) AS vmax, greatest(percentile_cont(0.05) WITHIN GROUP (ORDER BY value), max(value) * 1e-4) AS vmin
FROM dens WHERE value > 0;
SELECT count(*) FILTER (WHERE bin >= 2) AS hot95, count(*) FILTER (WHERE bin <= -2) AS cold95 FROM hot \gset

-- 3. early warning: daily orders per street and category over the last year, alarm_list's
-- method 'auto' (minqing.auto_alarm; it reads the year before too)
CREATE TEMP TABLE ew AS
SELECT greatest((SELECT first_day FROM city) + 10, (SELECT last_day FROM city) - 364) AS d0, (SELECT last_day FROM city) AS d1,
       (SELECT first_day FROM city) AS h0;
CREATE TEMP TABLE daily_counts AS
SELECT street AS unit_code, coalesce(category_code, '') AS category_code, day, count(*) AS n
FROM o, ew WHERE day >= ew.h0 AND street IS NOT NULL
GROUP BY 1, 2, 3;
ANALYZE daily_counts;
CREATE TEMP TABLE ew_days AS SELECT (ew.h0 + g) AS day FROM ew, generate_series(0, ew.d1 - ew.h0) g;
ANALYZE ew_days;
CREATE TEMP TABLE daily_street AS
SELECT s.unit_code, s.category_code, d.day, coalesce(c.n, 0)::float8 AS cases
FROM (SELECT DISTINCT unit_code, category_code FROM daily_counts) s
CROSS JOIN ew_days d
LEFT JOIN daily_counts c ON c.unit_code = s.unit_code AND c.category_code = s.category_code AND c.day = d.day;
ANALYZE daily_street;
CREATE TEMP TABLE ears (unit_code text, category_code text, day date, cases float8, expected float8, threshold float8, alarm boolean,
                        raised boolean);
-- only days with at least 5 orders can alarm (min_cases 5): score those; the
-- chart's series gets every day in a second pass below
INSERT INTO ears
SELECT unit_code, category_code, day, cases, (a).expected, (a).threshold, (a).alarm, (a).raised
FROM (SELECT d.*, minqing.auto_alarm(cases, score => day >= (SELECT d0 FROM ew) AND cases >= 5)
                  OVER (PARTITION BY unit_code, category_code ORDER BY day) AS a
      FROM daily_street d) q
WHERE day >= (SELECT d0 FROM ew) AND a IS NOT NULL;
SELECT 'minqing.auto_alarm (alarm_list''s method ''auto'')' AS ears_src, 'minqing.auto_alarm（alarm_list 的 ''auto'' 方法）' AS ears_src_zh,
       '季节感知的 auto 方法（去年同期、本年近 8 周水平和星期效应，至少 5 单，同一事件只报一次）' AS ew_method_zh,
       'the seasonality-aware ''auto'' method (same weeks last year, this year''s last 8 weeks, weekday effects, at least 5 orders, one alarm per running event)' AS ew_method_en \gset
-- the alarms an official sees (auto: one per running event; C2: days with at
-- least 4 orders); the strongest of each series
CREATE TEMP TABLE alarms AS
SELECT e.*, u.name, coalesce(c.name_zh || ' ' || c.name_en, e.category_code) AS category,
       (e.cases - e.threshold) / greatest(e.threshold, 1) AS excess
FROM ears e JOIN units u ON u.code = e.unit_code LEFT JOIN minqing.category c ON c.code = e.category_code
WHERE e.raised;
SELECT count(*) AS n_alarms, count(DISTINCT unit_code) AS n_alarm_units FROM alarms \gset
-- the chart: the planted surge's street and category if there is one, else the strongest alarm
CREATE TEMP TABLE top_alarm AS
SELECT * FROM (
	SELECT minqing.admin_ancestor(t.unit_code, 4) AS unit_code, coalesce(t.category, '') AS category_code,
	       t.day_start AS day, 0 AS pri
	FROM truth t WHERE t.kind = 'surge' AND t.unit_code IS NOT NULL
	UNION ALL
	SELECT unit_code, category_code, day, 1 FROM alarms a
	WHERE a.excess = (SELECT max(excess) FROM alarms)) s
ORDER BY pri, day, unit_code LIMIT 1;
-- the chart's series: every day of its window scored (the first pass scored days with 5+ orders)
DELETE FROM ears e USING top_alarm t WHERE e.unit_code = t.unit_code AND e.category_code = t.category_code;
INSERT INTO ears
SELECT q.unit_code, q.category_code, q.day, q.cases, (q.a).expected, (q.a).threshold, (q.a).alarm, (q.a).raised
FROM (SELECT d.*, minqing.auto_alarm(d.cases, score => d.day >= (SELECT d0 FROM ew) AND (d.cases >= 5 OR d.day >= t.day - 45))
                  OVER (ORDER BY d.day) AS a
      FROM daily_street d JOIN top_alarm t ON d.unit_code = t.unit_code AND d.category_code = t.category_code) q
WHERE q.day >= (SELECT d0 FROM ew) AND q.a IS NOT NULL;
INSERT INTO chart_pt
SELECT 'ears', s.series, e.day, CASE s.series WHEN 'cases' THEN e.cases WHEN 'threshold' THEN e.threshold
                                               WHEN 'alarm' THEN CASE WHEN e.alarm THEN e.cases END END
FROM ears e, top_alarm t, (VALUES ('cases'), ('threshold'), ('alarm')) s(series)
WHERE e.unit_code = t.unit_code AND e.category_code = t.category_code AND e.day BETWEEN t.day - 35 AND t.day + 35;
INSERT INTO chart_style (chart, series, color, dash, width, kind, label, ord) VALUES
	('ears', 'cases', '#3b6ea8', '', 1.6, 'line', 'orders 工单', 1),
	('ears', 'threshold', '#e08214', '5 3', 1.4, 'line', 'threshold 阈值', 2),
	('ears', 'alarm', '#c62828', '', 4, 'dot', 'alarm 预警', 3);
INSERT INTO chart_mark
SELECT 'ears', t.day, CASE WHEN t.pri = 0 THEN 'planted surge 埋入激增 ' ELSE '' END || t.day, '#555' FROM top_alarm t;
SELECT coalesce((SELECT u.name FROM top_alarm t JOIN units u ON u.code = t.unit_code), '–') AS top_alarm_name,
       coalesce((SELECT coalesce(c.name_zh || ' ' || c.name_en, t.category_code) FROM top_alarm t
                 LEFT JOIN minqing.category c ON c.code = t.category_code), '–') AS top_alarm_cat,
       coalesce((SELECT min(e.day)::text FROM ears e JOIN top_alarm t USING (unit_code, category_code)
                 WHERE e.alarm AND e.day >= t.day - 3), '–') AS top_alarm_first,
       coalesce((SELECT day::text FROM top_alarm), '–') AS top_alarm_day,
       coalesce((SELECT pri = 0 FROM top_alarm), false) AS surge_planted \gset

-- 4. policy effect: weekly orders of the policy's category in the treated units ---------
-- (from planted; without it the whole city around its midpoint, as an illustration)
CREATE TEMP TABLE policy AS
SELECT coalesce((SELECT min(day_start) FROM truth WHERE kind = 'policy'),
                (SELECT first_day + (last_day - first_day) / 2 FROM city)) AS policy_day,
       (SELECT min(category) FROM truth WHERE kind = 'policy') AS category,
       EXISTS (SELECT 1 FROM truth WHERE kind = 'policy' AND note = 'treated') AS planted;
SELECT policy_day, planted AS has_policy,
       coalesce((SELECT c.name_zh FROM minqing.category c WHERE c.code = policy.category), '全部') AS policy_cat_zh,
       coalesce((SELECT lower(c.name_en) FROM minqing.category c WHERE c.code = policy.category), 'all') AS policy_cat
FROM policy \gset
CREATE TEMP TABLE policy_unit AS
SELECT DISTINCT unit_code, note = 'treated' AS treated FROM truth WHERE kind = 'policy' AND unit_code IS NOT NULL;
CREATE TEMP TABLE policy_weeks AS
SELECT w::date AS wk
FROM generate_series(date_trunc('week', (SELECT first_day FROM city)::timestamp + interval '6 days'),
                     (SELECT last_day FROM city) - 6, interval '1 week') w;
CREATE TEMP TABLE policy_counts AS
SELECT date_trunc('week', w.day)::date AS wk, coalesce(pu.unit_code, 'city') AS unit_code,
       coalesce(pu.treated, true) AS treated, count(*) AS n
FROM o w CROSS JOIN policy p
LEFT JOIN policy_unit pu ON pu.unit_code = w.unit_code
WHERE (p.category IS NULL OR w.category_code = p.category) AND (pu.unit_code IS NOT NULL OR NOT p.planted)
GROUP BY 1, 2, 3;
CREATE TEMP TABLE policy_weekly AS
SELECT k.wk, coalesce(sum(c.n) FILTER (WHERE c.treated), 0)::float8 AS y,
       coalesce(sum(c.n) FILTER (WHERE NOT c.treated), 0)::float8 AS y_control
FROM policy_weeks k LEFT JOIN policy_counts c ON c.wk = k.wk
GROUP BY k.wk;
CREATE TEMP TABLE policy_fit (pre_level float8, pre_trend float8, level_change float8, level_change_p float8,
                              trend_change float8, trend_change_p float8);
INSERT INTO policy_fit
SELECT (r).pre_level, (r).pre_trend, (r).level_change, (r).level_change_p, (r).trend_change, (r).trend_change_p
FROM (SELECT minqing.its(wk, y, (SELECT policy_day FROM policy)) AS r FROM policy_weekly) q;
SELECT 'minqing.its (segmented regression, Newey–West)' AS its_src, 'minqing.its（分段回归，Newey–West 标准误）' AS its_src_zh \gset
SELECT pg_temp.num(f.level_change, 1) AS level_change,
       pg_temp.num(f.level_change / nullif(f.pre_level + f.pre_trend * (p.policy_day - (SELECT min(wk) FROM policy_weekly)), 0) * 100, 1) AS level_change_pct,
       CASE WHEN f.level_change_p IS NULL THEN '' ELSE format(' (p = %s)', to_char(f.level_change_p, 'FM0.0000')) END AS level_change_p
FROM policy_fit f, policy p \gset
SELECT '' AS did_text, '' AS did_text_zh \gset
SELECT coalesce(max(did_text), '') AS did_text, coalesce(max(did_text_zh), '') AS did_text_zh FROM (
SELECT format(' Difference-in-differences against the control units: %s orders per unit-week (95%% CI %s to %s, p = %s).',
              pg_temp.num((r).att, 3), pg_temp.num((r).ci_lo, 3), pg_temp.num((r).ci_hi, 3), to_char((r).p, 'FM0.0000')) AS did_text,
       format('与对照单元的双重差分：每单元每周 %s 单（95%% 置信区间 %s 至 %s，p = %s）。',
              pg_temp.num((r).att, 3), pg_temp.num((r).ci_lo, 3), pg_temp.num((r).ci_hi, 3), to_char((r).p, 'FM0.0000')) AS did_text_zh
FROM (SELECT minqing.did(coalesce(c.n, 0)::float8, pu.treated, k.wk >= (SELECT policy_day FROM policy), pu.unit_code) AS r
      FROM policy_unit pu CROSS JOIN policy_weeks k
      LEFT JOIN policy_counts c ON c.unit_code = pu.unit_code AND c.wk = k.wk) s
WHERE :'has_policy'::boolean AND EXISTS (SELECT 1 FROM policy_unit WHERE NOT treated)) x \gset
INSERT INTO chart_pt
SELECT 'policy', 'observed', wk, y FROM policy_weekly
UNION ALL
SELECT 'policy', 'control', wk, y_control FROM policy_weekly WHERE :'has_policy'::boolean
UNION ALL
SELECT 'policy', 'counterfactual', k.wk, f.pre_level + f.pre_trend * (k.wk - (SELECT min(wk) FROM policy_weekly))
FROM policy_weekly k, policy_fit f, policy p WHERE k.wk >= p.policy_day - 7
UNION ALL
SELECT 'policy', 'fitted', k.wk, f.pre_level + f.pre_trend * (k.wk - (SELECT min(wk) FROM policy_weekly))
       + CASE WHEN k.wk >= p.policy_day THEN f.level_change + f.trend_change * (k.wk - p.policy_day) ELSE 0 END
FROM policy_weekly k, policy_fit f, policy p;
INSERT INTO chart_style (chart, series, color, dash, width, kind, label, ord) VALUES
	('policy', 'control', '#b8b8b8', '', 1.4, 'line', 'control 对照', 0),
	('policy', 'observed', '#3b6ea8', '', 1.6, 'line', 'treated 试点', 1),
	('policy', 'fitted', '#1b7837', '', 2.2, 'line', 'fitted 拟合', 3),
	('policy', 'counterfactual', '#c62828', '6 4', 2.2, 'line', 'counterfactual 反事实', 4);
INSERT INTO chart_mark SELECT 'policy', policy_day, 'policy 政策', '#555' FROM policy;

-- 5. storm resilience ------------------------------------------------------------
CREATE TEMP TABLE storm AS
SELECT coalesce((SELECT min(day_start) FROM truth WHERE kind = 'storm'),
                (SELECT day FROM city_daily ORDER BY n DESC, day LIMIT 1)) AS s0,
       coalesce((SELECT max(coalesce(day_end, day_start)) FROM truth WHERE kind = 'storm'),
                (SELECT day FROM city_daily ORDER BY n DESC, day LIMIT 1)) AS s1;
SELECT s0 AS storm_start, s1 AS storm_end, EXISTS (SELECT 1 FROM truth WHERE kind = 'storm') AS storm_planted FROM storm \gset
CREATE TEMP TABLE storm_daily AS
SELECT d::date AS day, coalesce(c.n, 0)::float8 AS cases
FROM storm, generate_series(greatest(s0 - 28, (SELECT first_day FROM city)), least(s1 + 35, (SELECT last_day FROM city)), interval '1 day') d
LEFT JOIN city_daily c ON c.day = d::date;
CREATE TEMP TABLE resil (baseline float8, peak float8, peak_day date, peak_ratio float8, recovery_day date,
                         days_to_recover int, excess_cases float8, resilience_index float8);
INSERT INTO resil
SELECT (r).baseline, (r).peak, (r).peak_day, (r).peak_ratio, (r).recovery_day, (r).days_to_recover,
       (r).excess_cases, (r).resilience_index
FROM (SELECT minqing.resilience(day, cases, (SELECT s0 FROM storm), (SELECT s1 FROM storm)) AS r FROM storm_daily) q;
SELECT 'minqing.resilience' AS res_src, 'minqing.resilience' AS res_src_zh \gset
SELECT pg_temp.num(baseline, 0) AS r_baseline, pg_temp.num(peak, 0) AS r_peak, coalesce(peak_day::text, '–') AS r_peak_day,
       pg_temp.num(peak_ratio, 1) AS r_ratio, coalesce(recovery_day::text, 'not yet 未恢复') AS r_recovery,
       coalesce(days_to_recover::text, '–') AS r_days, pg_temp.num(excess_cases, 0) AS r_excess,
       pg_temp.num(resilience_index, 0) AS r_index
FROM (SELECT 1) one LEFT JOIN resil ON true \gset
INSERT INTO chart_pt
SELECT 'storm', 'cases', day, cases FROM storm_daily
UNION ALL SELECT 'storm', 'baseline', day, (SELECT baseline FROM resil) FROM storm_daily
UNION ALL SELECT 'storm', 'peak', peak_day, peak FROM resil WHERE peak_day IS NOT NULL;
INSERT INTO chart_pt
SELECT 'storm', 'excess', day, cases FROM storm_daily, resil
WHERE day >= (SELECT s0 FROM storm) AND day <= coalesce(recovery_day, peak_day);
INSERT INTO chart_style (chart, series, color, dash, width, kind, label, ord) VALUES
	('storm', 'excess', '#f4c7a1', '', 1, 'area', 'excess 超额', 0),
	('storm', 'cases', '#3b6ea8', '', 1.8, 'line', 'daily orders 每日工单', 1),
	('storm', 'baseline', '#777777', '5 3', 1.4, 'line', 'baseline 基线', 2),
	('storm', 'peak', '#c62828', '', 4.5, 'dot', 'peak 峰值', 3);
INSERT INTO chart_mark SELECT 'storm', s0, 'storm 暴雨', '#555' FROM storm;
INSERT INTO chart_mark SELECT 'storm', recovery_day, 'recovered 恢复', '#1b7837' FROM resil WHERE recovery_day IS NOT NULL;


-- 7. class cases (类案) and repeat calls -----------------------------------------
-- class_cases over the year before the week after the data ends: the map shows
-- every chronic place, the list those with an order in the last week (what
-- class_case_review gives a department on Monday)
SELECT (date_trunc('week', last_day::timestamp) + interval '7 days')::date AS week_start FROM city \gset
CREATE TEMP TABLE cls (department text, rank bigint, category_code text, unit_code text, geom geometry,
	incidents int, orders bigint, callers bigint, last_at timestamptz, q float8, rule text, trend_label text,
	this_week boolean, planted boolean);
INSERT INTO cls
SELECT r.department, r.rank, r.category_code, r.unit_code, r.geom, r.incidents, r.orders, r.callers, r.last_at,
       r.q, r.rule, r.trend_label, r.last_at >= (:'week_start'::date - 7)::timestamptz,
       EXISTS (SELECT 1 FROM truth t WHERE t.kind = 'class_case' AND t.category = r.category_code
               AND ST_DWithin(t.geom::geography, r.geom::geography, 150))
FROM minqing.class_cases(:'wo_rel'::regclass, (:'week_start'::date - 365)::timestamptz, :'week_start'::date::timestamptz) r
WHERE r.chronic;
SELECT 'minqing.class_cases over the year before the week (st_dbscan incidents, Poisson p against the local background, BH q); the Monday list is minqing.class_case_review' AS cls_src,
       'minqing.class_cases，前一年（st_dbscan 合并重复，局部背景泊松检验，BH 校正）；每周清单即 minqing.class_case_review' AS cls_src_zh \gset
CREATE TEMP TABLE rep (department text, order_count bigint, repeat_rate float8, fcr float8, fcr_lo float8, fcr_hi float8,
	false_resolution_rate float8, ord int);
INSERT INTO rep
SELECT CASE WHEN group_by = 'all' THEN '全市 city' ELSE group_code END, order_count, repeat_rate, fcr, fcr_lo, fcr_hi,
       false_resolution_rate, CASE WHEN group_by = 'all' THEN 0 ELSE 1 END
FROM minqing.repeat_kpi(:'wo_rel'::regclass, (SELECT p0 FROM period), (SELECT p1 FROM period))
WHERE group_by IN ('all', 'department');
SELECT 'minqing.repeat_kpi (30 days, Wilson 95%)' AS rep_src, 'minqing.repeat_kpi（30 天，Wilson 95%）' AS rep_src_zh \gset
SELECT count(*) AS n_cls, count(*) FILTER (WHERE this_week) AS n_cls_week,
       count(*) FILTER (WHERE planted) AS n_cls_planted FROM cls \gset

----------------------------------------------------------------------------
-- write the HTML
-- 6. hot words (term_counts / top_terms on the complaint text, when there is one)
SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = :'wo_rel'::regclass
	AND attname = 'content' AND atttypid = 'text'::regtype AND NOT attisdropped) AS has_text \gset
CREATE TEMP TABLE hw (code text, name text, term text, n bigint, g2 float8, rk bigint);
CREATE TEMP TABLE hw_surge (term text, n bigint, m bigint, g2 float8);
CREATE TEMP TABLE hw_info (street text, day_start date, day_end date);
\if :has_text
CREATE TEMP TABLE hw_period AS SELECT max(created_at) - interval '90 days' AS t0 FROM wo;
CREATE TEMP TABLE hw_dist AS
SELECT minqing.admin_ancestor(w.unit_code, 3) AS code, minqing.term_counts(w.content) AS tv
FROM wo w, hw_period p WHERE w.created_at > p.t0 GROUP BY 1;
CREATE TEMP TABLE hw_city AS SELECT minqing.term_counts(w.content) AS tv FROM wo w, hw_period p WHERE w.created_at > p.t0;
-- place names say where, not what: words that are part of a unit's name are left out
INSERT INTO hw
SELECT * FROM (
	SELECT d.code, u.name, t.term, t.target_count, t.g2, row_number() OVER (PARTITION BY d.code ORDER BY t.g2 DESC, t.term) AS rk
	FROM hw_dist d LEFT JOIN units u ON u.code = d.code CROSS JOIN hw_city c CROSS JOIN LATERAL minqing.top_terms(d.tv, c.tv, 40) t
	WHERE d.code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units n WHERE strpos(n.name, t.term) > 0)) x
WHERE rk <= 5;
-- the planted surge: its street during the surge against the same street in the 8 weeks before
INSERT INTO hw_info
SELECT minqing.admin_ancestor(unit_code, 4), min(day_start), max(day_end) FROM truth WHERE kind = 'surge' GROUP BY 1 LIMIT 1;
INSERT INTO hw_surge
SELECT t.term, t.target_count, t.reference_count, t.g2
FROM hw_info i,
     LATERAL (SELECT minqing.term_counts(w.content) AS tv FROM wo w WHERE minqing.admin_ancestor(w.unit_code, 4) = i.street
              AND w.created_at::date BETWEEN i.day_start AND i.day_end) a,
     LATERAL (SELECT minqing.term_counts(w.content) AS tv FROM wo w WHERE minqing.admin_ancestor(w.unit_code, 4) = i.street
              AND w.created_at::date BETWEEN i.day_start - 56 AND i.day_start - 1) b,
     LATERAL minqing.top_terms(a.tv, b.tv, 5) t;
\endif

-- the public card 明白卡 written beside the report (report.sh passes its file
-- name as :card): the street of the planted small community if there is one,
-- else the street with the most orders, for the last calendar quarter
-- (Asia/Shanghai, the card's zone) the data cover to its end
SELECT (q1 - interval '3 months') AT TIME ZONE 'Asia/Shanghai' AS card_start, q1 AT TIME ZONE 'Asia/Shanghai' AS card_end,
       to_char(q1 - interval '3 months', 'YYYY') || '年第' || to_char(q1 - interval '3 months', 'Q') || '季度' AS card_q_zh,
       to_char(q1 - interval '3 months', 'YYYY "Q"Q') AS card_q_en
FROM (SELECT date_trunc('quarter', max(created_at) AT TIME ZONE 'Asia/Shanghai' + interval '1 day') AS q1 FROM wo) q \gset
SELECT coalesce((SELECT minqing.admin_ancestor(t.unit_code, 4) FROM truth t WHERE t.kind = 'small_community' LIMIT 1),
                (SELECT minqing.admin_ancestor(w.unit_code, 4) FROM wo w
                 WHERE w.created_at >= :'card_start' AND w.created_at < :'card_end' AND minqing.admin_level(w.unit_code) >= 4
                 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)) AS card_unit \gset
SELECT coalesce((SELECT name FROM units WHERE code = :'card_unit'), :'card_unit') AS card_unit_name \gset

----------------------------------------------------------------------------
\o :out
SELECT $html$<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minqing 民情 — city report</title>
<style>
body{font:14px/1.45 "Noto Sans CJK SC","Droid Sans Fallback","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}
header{background:#17324d;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;color:#c9d6e3}
header p.card a{color:#fff}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(660px,1fr));gap:18px;padding:18px 28px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:14px 18px}
h2{margin:0 0 6px;font-size:18px;color:#17324d}
h2 small{font-weight:normal;color:#667;font-size:14px}
p.cap{margin:4px 0;color:#333}
p.src{margin:6px 0 0;color:#889;font-size:12px}
.kpis{display:flex;gap:14px;flex-wrap:wrap}
.kpi{background:#eef3f8;border-radius:6px;padding:8px 14px;min-width:120px}
.kpi b{display:block;font-size:22px;color:#17324d}
.kpi span{font-size:12px;color:#556}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin-top:8px}
th,td{padding:3px 5px;text-align:right;border-bottom:1px solid #e4e7eb}
th{background:#f0f2f5;color:#334}
td.l,th.l{text-align:left}
td.d{white-space:nowrap}
tr.sep td{border-bottom:2px solid #9aa}
svg{display:block;margin:6px 0}
svg .grid{stroke:#e6e6e6}
svg .tick{stroke:#999}
svg text.ax{font-size:10.5px;fill:#666}
svg text.lg{font-size:11.5px;fill:#333}
svg text.mark{font-size:11px}
svg text.lbl{font-size:11px;font-weight:bold;fill:#222;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:2.5px}
.legend{display:flex;align-items:center;gap:6px;font-size:12px;color:#445}
.legend i{display:inline-block;width:16px;height:11px}
.na{color:#999}
footer{padding:6px 28px 24px;color:#778;font-size:12px}
</style></head><body>$html$;

SELECT format($h$<header><h1>民情报告 · minqing city report — %s</h1>
<p>%s 至 %s · %s to %s · 工单 %s orders · minqing %s</p>
<p class="card">明白卡 Public card: <a href="%s">%s · %s %s</a></p></header><main>
<section style="grid-column:1/-1"><h2>总体 <small>Overview</small></h2><div class="kpis">
<div class="kpi"><b>%s</b><span>工单 orders</span></div>
<div class="kpi"><b>%s</b><span>响应率 response rate</span></div>
<div class="kpi"><b>%s</b><span>解决率 resolution rate</span></div>
<div class="kpi"><b>%s</b><span>满意率 satisfaction rate</span></div>
<div class="kpi"><b>%s</b><span>综合得分 score (0–100)</span></div>
<div class="kpi"><b>%s</b><span>近一年预警 alarms, last year (%s 街道 streets)</span></div>
<div class="kpi"><b>%s</b><span>热点格 hot cells (95%%)</span></div>
</div></section>$h$,
	pg_temp.esc(:'schema'), first_day, last_day, first_day, last_day, to_char(orders, 'FM999G999G999'), :'mq_version',
	pg_temp.esc(:'card'), pg_temp.esc(:'card_unit_name'), :'card_q_zh', :'card_q_en',
	to_char(orders, 'FM999G999G999'), pg_temp.pct(response_rate), pg_temp.pct(resolution_rate),
	pg_temp.pct(satisfaction_rate), pg_temp.num(score, 1), :n_alarms, :n_alarm_units, :hot95)
FROM city;

-- panel 1: choropleth + ranking
SELECT format($h$<section><h2>街道民情指数 <small>Street index, %s to %s</small></h2>
<p class="cap">颜色越绿得分越高（%s，0–100），数字为排名。红色街道是需要优先关注的地方。</p>
<p class="cap">Greener streets score higher (%s, 0–100); the numbers are ranks.
Red streets are where attention is needed first.</p>
<svg class="map" viewBox="0 0 %s %s" width="%s" height="%s" xmlns="http://www.w3.org/2000/svg">%s%s%s</svg>
<div class="legend">得分 score %s %s%s</div>$h$,
	:'p0', :'p1_last',
	'民情指数：三率与每万人工单量，小单元向全市均值收缩',
	'the sentiment index: the three rates and orders per 10k people, small units shrunk towards the city',
	f.w, f.h, f.w, f.h,
	(SELECT string_agg(format('<path d="%s" fill="%s" stroke="#fff" stroke-width=".8"><title>%s: %s</title></path>', pg_temp.svgp(s.geom),
	        pg_temp.ramp((s.score - r.lo) / nullif(r.hi - r.lo, 0), ARRAY['#d73027', '#fc8d59', '#fee08b', '#d9ef8b', '#91cf60', '#1a9850']),
	        pg_temp.esc(s.unit_name), pg_temp.num(s.score, 1)), '' ORDER BY s.unit_code)
	 FROM street s, street_range r WHERE s.geom IS NOT NULL),
	(SELECT string_agg(format('<path d="%s" fill="none" style="stroke:#17324d;stroke-width:1.6"/>', pg_temp.svgp(geom)), '' ORDER BY code)
	 FROM units WHERE level = 3 AND geom IS NOT NULL),
	(SELECT coalesce(string_agg(format('<path d="%s" fill="none" stroke="#000" stroke-width="2.2" stroke-dasharray="5 3"/>', pg_temp.svgp(u.geom)), ''), '')
	 FROM units u WHERE u.code IN (SELECT unit_code FROM truth WHERE kind = 'bad_street') AND u.geom IS NOT NULL) ||
	(SELECT string_agg(format('<text class="lbl" %s>%s</text>', replace(replace(pg_temp.svgp(ST_PointOnSurface(s.geom)), 'cx=', 'x='), 'cy=', 'y='), s.rank), '' ORDER BY s.unit_code)
	 FROM street s WHERE s.geom IS NOT NULL AND (SELECT n FROM street_range) <= 80),
	pg_temp.num((SELECT lo FROM street_range), 1),
	(SELECT string_agg(format('<i style="background:%s"></i>', pg_temp.ramp(g / 5.0, ARRAY['#d73027', '#fc8d59', '#fee08b', '#d9ef8b', '#91cf60', '#1a9850'])), '' ORDER BY g)
	 FROM generate_series(0, 5) g) || ' ' || pg_temp.num((SELECT hi FROM street_range), 1),
	CASE WHEN EXISTS (SELECT 1 FROM truth WHERE kind = 'bad_street')
	     THEN ' · <i style="border:2px dashed #000;background:none"></i> 生成器埋入的差街道 planted bad streets' ELSE '' END)
FROM frame f;
SELECT format($h$<table><tr><th>排名<br>rank</th><th class="l">街道 street</th><th>工单<br>orders</th><th>每万人<br>/10k</th><th>解决<br>resolved</th><th>满意<br>satisfied</th><th>得分<br>score</th>%s</tr>%s</table>
<p class="src">%s · %s</p></section>$h$,
	'<th>90%区间<br>interval</th><th class="l">象限<br>quad.</th>',
	string_agg(format('<tr%s><td>%s</td><td class="l d">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td><b>%s</b></td>%s</tr>',
		CASE WHEN pos = 10 AND total > 15 THEN ' class="sep"' ELSE '' END,
		rank, pg_temp.esc(unit_name), orders, pg_temp.num(complaints_per_10k, 1), pg_temp.pct(resolution_rate),
		pg_temp.pct(satisfaction_rate), pg_temp.num(score, 1),
		format('<td class="d">%s–%s</td><td class="l d" title="%s">%s</td>', rank_lo, rank_hi, coalesce(quadrant, ''),
		       CASE quadrant WHEN 'bright_spot' THEN '亮点' WHEN 'hard_spot' THEN '难点' WHEN 'turning_point' THEN '拐点'
		                     WHEN 'blockage' THEN '堵点' ELSE coalesce(quadrant, '') END)), '' ORDER BY pos),
	:'index_src_zh', :'index_src')
FROM (SELECT s.*, row_number() OVER (ORDER BY rank, unit_code) AS pos, count(*) OVER () AS total FROM street s) q
WHERE pos <= 10 OR pos > total - 5;

-- panel 2: density + hotspots
SELECT format($h$<section><h2>工单密度与热点 <small>Density and Gi* hotspots</small></h2>
<p class="cap">底色是工单的核密度（平方根色阶，越红越密集）；红框是 Getis-Ord Gi* 热点（95%% 以上置信），蓝框是冷点。共 %s 个热点格、%s 个冷点格。%s</p>
<p class="cap">The shading is the kernel density of work orders (square-root scale, redder = denser); red squares are Getis-Ord Gi* hot spots
(95%% confidence or more), blue squares cold spots: %s hot and %s cold cells.%s</p>
<svg class="map" viewBox="0 0 %s %s" width="%s" height="%s" xmlns="http://www.w3.org/2000/svg">
<rect width="%s" height="%s" fill="#fbfbfb"/>%s%s%s%s%s</svg>
<div class="legend">密度 density %s · <i style="border:2px solid #b2182b"></i> 热点 hot spot · <i style="border:2px solid #2166ac"></i> 冷点 cold spot%s</div>
<p class="src">%s · %s · %s · %s</p></section>$h$,
	:hot95, :cold95,
	CASE WHEN EXISTS (SELECT 1 FROM truth WHERE kind = 'hotspot') THEN '黑圈是生成器埋入的真实热点。' ELSE '' END,
	:hot95, :cold95,
	CASE WHEN EXISTS (SELECT 1 FROM truth WHERE kind = 'hotspot') THEN ' Black circles mark the hotspots the generator planted.' ELSE '' END,
	f.w, f.h, f.w, f.h, f.w, f.h,
	(SELECT string_agg(format('<path d="%s" fill="#eceff3" stroke="#c5ccd6" stroke-width=".6"/>', pg_temp.svgp(geom)), '' ORDER BY code)
	 FROM units WHERE level = 4 AND geom IS NOT NULL),
	(SELECT string_agg(format('<path d="%s" fill="%s" stroke="none"/>', pg_temp.svgp(d.geom),
	        pg_temp.ramp(sqrt((d.value - r.vmin) / nullif(r.vmax - r.vmin, 0)), ARRAY['#fff7bc', '#fec44f', '#fe9929', '#ec7014', '#cc4c02', '#8c2d04'])), '')
	 FROM dens d, dens_range r WHERE d.value >= r.vmin),
	(SELECT string_agg(format('<path d="%s" fill="none" stroke="#17324d" stroke-width="1.2"/>', pg_temp.svgp(geom)), '' ORDER BY code)
	 FROM units WHERE level = 3 AND geom IS NOT NULL),
	(SELECT string_agg(format('<path d="%s" fill="none" stroke="%s" stroke-width="%s"><title>Gi* z = %s</title></path>', pg_temp.svgp(geom),
	        CASE WHEN bin > 0 THEN '#b2182b' ELSE '#2166ac' END, CASE WHEN abs(bin) = 3 THEN 2.2 ELSE 1.2 END, pg_temp.num(z, 2)), '')
	 FROM hot WHERE abs(bin) >= 2),
	(SELECT string_agg(format('<circle %s r="9" fill="none" stroke="#000" stroke-width="1.5" stroke-dasharray="3 2"/>',
	        pg_temp.svgp(ST_Centroid(geom))), '') FROM truth WHERE kind = 'hotspot' AND geom IS NOT NULL),
	'<i style="background:linear-gradient(90deg,#fff7bc,#fe9929,#8c2d04);width:60px"></i>',
	CASE WHEN EXISTS (SELECT 1 FROM truth WHERE kind = 'hotspot') THEN ' · ◯ 埋入热点 planted' ELSE '' END,
	:'kde_src_zh', :'kde_src', :'hot_src_zh', :'hot_src')
FROM frame f;

-- panel 3: alarms
SELECT format($h$<section><h2>未诉先办：激增预警 <small>Early warning: surge alarms</small></h2>
<p class="cap">近一年按街道和类别逐日统计工单，用%s发现异常激增：共 %s 次预警，涉及 %s 个街道。下图是%s「%s」的「%s」工单，首次预警在 %s。</p>
<p class="cap">Over the last year, daily orders per street and category are checked with %s:
%s alarms in %s streets. The chart shows %s: %s orders in %s, first alarm on %s.</p>%s$h$,
	:'ew_method_zh', :n_alarms, :n_alarm_units, CASE WHEN :'surge_planted'::boolean THEN '生成器埋入的激增' ELSE '最强的预警' END,
	pg_temp.esc(:'top_alarm_name'), pg_temp.esc(split_part(:'top_alarm_cat', ' ', 1)), :'top_alarm_first',
	:'ew_method_en', :n_alarms, :n_alarm_units, CASE WHEN :'surge_planted'::boolean THEN 'the surge the generator planted' ELSE 'the strongest alarm' END,
	pg_temp.esc(substr(:'top_alarm_cat', strpos(:'top_alarm_cat', ' ') + 1)), pg_temp.esc(:'top_alarm_name'), :'top_alarm_first',
	pg_temp.chart('ears', 620, 210));
SELECT format($h$<table><tr><th class="l">日期 day</th><th class="l">街道 street</th><th class="l">类别 category</th><th>工单<br>orders</th><th>期望<br>expected</th><th>阈值<br>threshold</th></tr>%s</table>
<p class="src">%s · %s · %s</p></section>$h$,
	coalesce(string_agg(format('<tr><td class="l d">%s</td><td class="l">%s</td><td class="l">%s</td><td><b>%s</b></td><td>%s</td><td>%s</td></tr>',
		day, pg_temp.esc(name), pg_temp.esc(category), cases, pg_temp.num(expected, 1), pg_temp.num(threshold, 1)), '' ORDER BY excess DESC, day),
		'<tr><td class="l" colspan="6">无预警 no alarms</td></tr>'),
	'每个街道×类别最强的一次，前 10 条 the strongest alarm of each street × category, top 10', :'ears_src_zh', :'ears_src')
FROM (SELECT * FROM (SELECT DISTINCT ON (unit_code, category_code) * FROM alarms ORDER BY unit_code, category_code, excess DESC, day) b
      ORDER BY excess DESC, day, unit_code LIMIT 10) a;

-- panel 4: policy
SELECT format($h$<section><h2>政策效果 <small>Policy effect</small></h2>
<p class="cap">%s 起%s实施政策。图为每周「%s」工单：蓝线是试点，灰线是对照；红色虚线是按政策前趋势外推的“没有政策会怎样”（反事实），绿线是分段回归拟合。政策使每周工单水平变化 %s 单（%s%%）%s。%s</p>
<p class="cap">A policy took effect on %s %s. Weekly %s orders: blue the pilot units, grey the control units; the red dashed line extends the
pre-policy trend — what would have happened without the policy (the counterfactual); green is the segmented-regression fit.
The policy changed the weekly level by %s orders (%s%%)%s.%s</p>%s
<p class="src">%s · %s</p></section>$h$,
	:'policy_day', CASE WHEN :'has_policy'::boolean THEN '在试点社区' ELSE '（未找到埋入的政策，仅为示意）' END, :'policy_cat_zh',
	:'level_change', :'level_change_pct', :'level_change_p', :'did_text_zh',
	:'policy_day', CASE WHEN :'has_policy'::boolean THEN 'in the pilot communities' ELSE '(no planted policy found: illustration only)' END,
	:'policy_cat', :'level_change', :'level_change_pct', :'level_change_p', :'did_text',
	pg_temp.chart('policy', 620, 240), :'its_src_zh', :'its_src');

-- panel 5: storm
SELECT format($h$<section><h2>城市韧性：暴雨 <small>Storm resilience</small></h2>
<p class="cap">%s 至 %s 的%s期间，全市每日工单从基线 %s 单升至 %s 日的 %s 单（%s 倍），%s 恢复（峰后 %s 天），共多出 %s 单。韧性指数 %s（0–100，越高越好）。</p>
<p class="cap">During the %s of %s to %s, daily orders rose from a baseline of %s to %s on %s (%s×); the city recovered on %s
(%s days after the peak) with %s excess orders. Resilience index %s (0–100, higher is better).</p>%s
<p class="src">%s · %s</p></section>$h$,
	:'storm_start', :'storm_end', CASE WHEN :'storm_planted'::boolean THEN '暴雨' ELSE '工单最多的一天' END,
	:'r_baseline', :'r_peak_day', :'r_peak', :'r_ratio', :'r_recovery', :'r_days', :'r_excess', :'r_index',
	CASE WHEN :'storm_planted'::boolean THEN 'storm' ELSE 'busiest day (no planted storm found)' END, :'storm_start', :'storm_end',
	:'r_baseline', :'r_peak', :'r_peak_day', :'r_ratio', :'r_recovery', :'r_days', :'r_excess', :'r_index',
	pg_temp.chart('storm', 620, 240), :'res_src_zh', :'res_src');

-- panel 6: hot words
\if :has_text
SELECT format($h$<section><h2>民情热词 <small>Hot words</small></h2>
<p class="cap">近 90 天各区投诉文本中比全市明显多用的词（minqing.zh_segment 分词，Dunning 对数似然比 G² 排序，地名除外）。%s</p>
<p class="cap">Words each district used markedly more than the city in the last 90 days (jieba-compatible segmentation,
ranked by Dunning's log-likelihood G², place names left out).%s</p>
<table><tr><th class="l">区 district</th><th class="l">热词 hot words (count)</th></tr>%s</table>
<p class="src">minqing.term_counts · minqing.top_terms</p></section>$h$,
	coalesce((SELECT format('生成器埋入的电动车充电激增（%s，%s 至 %s）与该街道此前 8 周相比，最突出的词：%s。',
	                 pg_temp.esc(split_part(u.name, ' ', 1)), i.day_start, i.day_end,
	                 (SELECT string_agg(format('<b>%s</b>（%s）', pg_temp.esc(term), n), '、' ORDER BY g2 DESC, term) FROM hw_surge))
	          FROM hw_info i LEFT JOIN units u ON u.code = i.street WHERE EXISTS (SELECT 1 FROM hw_surge)), ''),
	coalesce((SELECT format(' The planted e-bike charging surge (%s, %s to %s) against the same street in the 8 weeks before: %s.',
	                 pg_temp.esc(substr(u.name, strpos(u.name, ' ') + 1)), i.day_start, i.day_end,
	                 (SELECT string_agg(format('<b>%s</b> (%s)', pg_temp.esc(term), n), ', ' ORDER BY g2 DESC, term) FROM hw_surge))
	          FROM hw_info i LEFT JOIN units u ON u.code = i.street WHERE EXISTS (SELECT 1 FROM hw_surge)), ''),
	coalesce((SELECT string_agg(format('<tr><td class="l d">%s</td><td class="l">%s</td></tr>', pg_temp.esc(coalesce(name, code)), words), '' ORDER BY code)
	          FROM (SELECT code, name, string_agg(format('%s (%s)', pg_temp.esc(term), n), '、' ORDER BY rk) AS words
	                FROM hw GROUP BY code, name) x), '<tr><td class="l" colspan="2">无 none</td></tr>'));
\endif

-- panels 7 and 8: class cases (map of the year's chronic places + the weekly list) and repeat calls / FCR
SELECT format($h$<section><h2>类案治理：每周一议 <small>Class cases: the Monday list, week of %s</small></h2>
<p class="cap">同一地点反复出现的同类问题（重复举报先合并为一次事件）。近一年的“顽疾”共 %s 处（圆圈大小为事件数%s），其中上周仍有工单的 %s 处列在表中，供部门周一研判。</p>
<p class="cap">The same problem recurring at the same place (duplicate reports of one event merged first): %s chronic places over the
last year (circle size: incidents%s); the %s with an order last week are the list a department reviews on Monday.</p>
<svg class="map" viewBox="0 0 %s %s" width="%s" height="%s" xmlns="http://www.w3.org/2000/svg">
<rect width="%s" height="%s" fill="#fbfbfb"/>%s%s%s</svg>
<table><tr><th class="l">部门 department</th><th>排名<br>rank</th><th class="l">类别 category</th><th class="l">社区 unit</th><th>事件<br>incidents</th><th>工单<br>orders</th><th>来电人<br>callers</th><th class="l">规则<br>rule</th><th class="l">趋势<br>trend</th></tr>%s</table>
<p class="src">%s · %s</p></section>$h$,
	:'week_start', :n_cls,
	CASE WHEN :n_cls_planted > 0 THEN format('；红圈为生成器埋入的类案，%s 处被找到', :n_cls_planted) ELSE '' END,
	:n_cls_week, :n_cls,
	CASE WHEN :n_cls_planted > 0 THEN format('; red rings: class cases the generator planted, %s found', :n_cls_planted) ELSE '' END,
	:n_cls_week,
	f.w, f.h, f.w, f.h, f.w, f.h,
	(SELECT string_agg(format('<path d="%s" fill="#eceff3" stroke="#c5ccd6" stroke-width=".6"/>', pg_temp.svgp(geom)), '' ORDER BY code)
	 FROM units WHERE level = 4 AND geom IS NOT NULL),
	(SELECT coalesce(string_agg(format('<circle %s r="%s" fill="%s" fill-opacity=".75" stroke="%s" stroke-width="%s"><title>%s %s: %s incidents</title></circle>',
	        pg_temp.svgp(geom), round((3 + 1.5 * sqrt(incidents))::numeric, 1), CASE WHEN this_week THEN '#d73027' ELSE '#fdae61' END,
	        CASE WHEN planted THEN '#b2182b' ELSE '#7f3b08' END,
	        CASE WHEN planted THEN 2.4 ELSE 0.8 END, pg_temp.esc(category_code), unit_code, incidents), '' ORDER BY incidents), '')
	 FROM cls WHERE geom IS NOT NULL),
	(SELECT coalesce(string_agg(format('<path d="%s" fill="none" stroke="#17324d" stroke-width="1.2"/>', pg_temp.svgp(geom)), '' ORDER BY code), '')
	 FROM units WHERE level = 3 AND geom IS NOT NULL),
	(SELECT coalesce(string_agg(format('<tr><td class="l d">%s</td><td>%s</td><td class="l">%s</td><td class="l">%s</td><td><b>%s</b></td><td>%s</td><td>%s</td><td class="l">%s</td><td class="l d">%s</td></tr>',
	        pg_temp.esc(department), rank, pg_temp.esc(category_code), unit_code, incidents, orders, callers, rule,
	        CASE trend_label WHEN 'rising' THEN '↑ 上升' WHEN 'falling' THEN '↓ 下降' ELSE '→ 平稳' END), '' ORDER BY department, rank),
	        '<tr><td class="l" colspan="9">上周无 none last week</td></tr>')
	 FROM (SELECT * FROM cls WHERE this_week ORDER BY rank LIMIT 15) c),
	:'cls_src_zh', :'cls_src')
FROM frame f;
SELECT format($h$<section><h2>重复来电与一次解决率 <small>Repeat calls and first-contact resolution, %s to %s</small></h2>
<p class="cap">重复来电：同一来电人 30 天内就同类问题再次来电。一次解决率：非重复工单中 30 天内未再来电的比例。虚假办结：标记“已解决”后仍有重复来电的比例。</p>
<p class="cap">A repeat call: the same caller about the same category within 30 days. First-contact resolution (FCR): the share of
non-repeat orders not followed by a repeat within 30 days. False resolution: resolved orders followed by a repeat.</p>
<table><tr><th class="l">部门 department</th><th>工单<br>orders</th><th>重复率<br>repeat</th><th>一次解决率<br>FCR</th><th>95%%区间<br>interval</th><th>虚假办结<br>false res.</th></tr>%s</table>
<p class="src">%s · %s</p></section>$h$,
	:'p0', :'p1_last',
	coalesce(string_agg(format('<tr%s><td class="l d">%s</td><td>%s</td><td>%s</td><td><b>%s</b></td><td class="d">%s–%s</td><td>%s</td></tr>',
		CASE WHEN ord = 0 THEN ' class="sep"' ELSE '' END, pg_temp.esc(department), order_count, pg_temp.pct(repeat_rate),
		pg_temp.pct(fcr), pg_temp.pct(fcr_lo), pg_temp.pct(fcr_hi), pg_temp.pct(false_resolution_rate)), '' ORDER BY ord, fcr, department),
		'<tr><td class="l" colspan="6">–</td></tr>'),
	:'rep_src_zh', :'rep_src')
FROM rep;

SELECT format($h$</main><footer>由 minqing %s 在 PostgreSQL 中生成：地图由 PostGIS ST_AsSVG 绘制，无需联网。
Generated inside PostgreSQL by minqing %s: maps drawn with PostGIS ST_AsSVG, charts as inline SVG, no network needed. %s</footer></body></html>$h$,
	:'mq_version', :'mq_version', to_char(now(), 'YYYY-MM-DD HH24:MI TZ'));
\o

-- the public card, beside the report (a page saying why when no street had
-- orders in the quarter)
SELECT :'card_unit' <> '' AS has_card \gset
\o :card_out
\if :has_card
SELECT minqing.public_card_html(:'wo_rel'::regclass, :'card_unit', :'card_start', :'card_end', :'units_rel'::regclass);
\else
SELECT minqing.html_page('明白卡 Public card', '<p>本季度没有街道级工单。No street had orders in the last quarter.</p>');
\endif
\o
