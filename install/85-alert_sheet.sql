----------------------------------------------------------------------------
-- The alert sheet (民情预警单, SPEC §13, docs/alert_sheet.md) and the small
-- HTML helpers every printable page of minqing uses (html_escape,
-- html_page): one self-contained page, CSS inline, no scripts, no URLs.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.html_escape(t text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
	SELECT replace(replace(replace(replace(replace($1, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
	               '"', '&quot;'), '''', '&#39;')
$body$;
COMMENT ON FUNCTION minqing.html_escape(text) IS
	'text made safe for HTML element content and quoted attribute values: & < > " and '' replaced by their character references; NULL stays NULL';

-- The shared look of minqing's printable pages (A4, system fonts with CJK
-- fallbacks, no web fonts); the page's own rules come after it.
CREATE FUNCTION minqing.html_page(title text, body text, lang text DEFAULT 'zh-CN', css text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
BEGIN
	IF lang IS NULL OR lang !~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' THEN
		RAISE EXCEPTION 'html_page: invalid language tag "%"', lang
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass a BCP 47 tag such as ''zh-CN'' or ''en''.';
	END IF;
	IF css ~* '(<|url\(|@import|expression\()' THEN
		RAISE EXCEPTION 'html_page: css must not contain "<", url(), @import or expression()'
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'The page is self-contained: inline rules only, no external resources.';
	END IF;
	RETURN '<!DOCTYPE html>' || E'\n'
		|| '<html lang="' || lang || '"><head><meta charset="utf-8">'
		|| '<meta name="viewport" content="width=device-width, initial-scale=1">'
		|| '<title>' || COALESCE(minqing.html_escape(title), '') || '</title>' || E'\n'
		|| '<style>'
		|| '@page{size:A4;margin:14mm 12mm}'
		|| '*{box-sizing:border-box}'
		|| 'body{margin:0 auto;max-width:190mm;padding:16px;color:#1a1a1a;background:#fff;'
		|| 'font:14px/1.5 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",'
		|| '"Helvetica Neue",Arial,sans-serif}'
		|| 'h1{font-size:22px;margin:0 0 4px;color:#17324d}h2{font-size:16px;margin:18px 0 6px;color:#17324d}'
		|| '.sub{color:#555;margin:0 0 12px}.en{color:#555;font-weight:normal}'
		|| 'table{border-collapse:collapse;width:100%;margin:6px 0}'
		|| 'th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}'
		|| 'th{background:#17324d;color:#fff;font-weight:600}'
		|| 'td.num{text-align:right;white-space:nowrap}th.num{text-align:right}th .en{color:#c9d6e3}'
		|| '.note{color:#555;font-size:12px}'
		|| 'footer{margin-top:16px;border-top:1px solid #bbb;padding-top:6px;color:#555;font-size:12px}'
		|| '@media print{body{padding:0}tr{break-inside:avoid}}'
		|| COALESCE(css, '')
		|| '</style></head>' || E'\n'
		|| '<body>' || E'\n' || COALESCE(body, '') || E'\n' || '</body></html>' || E'\n';
END
$body$;
COMMENT ON FUNCTION minqing.html_page(text, text, text, text) IS
	'one self-contained printable HTML page (UTF-8, A4, inline CSS, no scripts or external resources): the escaped title, body inserted as is (escape its text with html_escape), the shared minqing styles followed by css (no "<", url(), @import); lang is a BCP 47 tag';

----------------------------------------------------------------------------
-- Who acts: category → responsible department (责任部门)
----------------------------------------------------------------------------
CREATE TABLE minqing.category_department (
	category_code text NOT NULL CHECK (category_code <> ''),
	department    text NOT NULL CHECK (department <> ''),
	builtin       boolean NOT NULL DEFAULT false,
	PRIMARY KEY (category_code, builtin)
);
COMMENT ON TABLE minqing.category_department IS
	'the department responsible for a category on the alert sheet; a row of yours (builtin = false) overrides the shipped row of the same category; user rows are kept by pg_dump';
COMMENT ON COLUMN minqing.category_department.builtin IS
	'true for the rows shipped with minqing (re-created by CREATE EXTENSION, not dumped): insert a row of your own to change a category''s department';
SELECT pg_catalog.pg_extension_config_dump('minqing.category_department', 'WHERE NOT builtin');
-- the departments of the built-in taxonomy (the generator's, src/generate.c)
INSERT INTO minqing.category_department (category_code, department, builtin) SELECT c, d, true FROM (VALUES
	('water_supply', '水务局 Water Authority'), ('power_supply', '供电公司 Power Company'),
	('gas_supply', '燃气集团 Gas Group'), ('heating', '热力集团 Heating Group'),
	('drainage', '水务局 Water Authority'), ('garbage', '城市管理委员会 Urban Management'),
	('food_safety', '市场监管局 Market Regulation'), ('medical_service', '卫生健康委员会 Health'),
	('public_order', '公安局 Public Security'), ('fire_safety', '公安局 Public Security'),
	('ebike_charging', '公安局 Public Security'), ('property_management', '住房和城乡建设委员会 Housing'),
	('housing_repair', '住房和城乡建设委员会 Housing'), ('traffic_order', '交通委员会 Transport'),
	('parking', '交通委员会 Transport'), ('public_transit', '交通委员会 Transport'),
	('road_maintenance', '交通委员会 Transport'), ('illegal_construction', '城市管理委员会 Urban Management'),
	('street_vending', '城市管理委员会 Urban Management'), ('social_insurance', '人力资源和社会保障局 Human Resources'),
	('school_enrollment', '教育委员会 Education'), ('education_fees', '教育委员会 Education'),
	('job_seeking', '人力资源和社会保障局 Human Resources'), ('wage_arrears', '人力资源和社会保障局 Human Resources'),
	('air_pollution', '生态环境局 Ecology and Environment'), ('water_pollution', '生态环境局 Ecology and Environment'),
	('noise', '生态环境局 Ecology and Environment'), ('consumer_rights', '市场监管局 Market Regulation'),
	('real_estate', '住房和城乡建设委员会 Housing'), ('elderly_care', '民政局 Civil Affairs'),
	('government_service', '政务服务局 Government Services'), ('greening', '园林绿化局 Landscaping'),
	('culture_events', '文化和旅游局 Culture and Tourism'), ('leisure', '文化和旅游局 Culture and Tourism'),
	('fitness', '文化和旅游局 Culture and Tourism'), ('tourism', '文化和旅游局 Culture and Tourism'),
	('pets', '城市管理委员会 Urban Management')
) v(c, d);

----------------------------------------------------------------------------
-- alert_sheet(): the morning list of one unit (民情预警单)
----------------------------------------------------------------------------
-- The morning of as_of sees the orders created before as_of 00:00 in the
-- session's TimeZone: the last complete day is as_of - 1.  Only the unit's
-- own subtree (and, for a grid, its community as the reference) is read,
-- over the 430 days the 'auto' alarm needs.
CREATE TYPE minqing.alert_sheet_item AS (urgency_rank int, kind text, kind_zh text, category_code text,
	category_name_zh text, category_name_en text, area_code text, area_name text, area_level int,
	place_lon float8, place_lat float8, since date, last_day date, observed float8, expected float8,
	threshold float8, excess_ratio float8, p_value float8, department text, department_source text,
	evidence_orders bigint, evidence_callers bigint, evidence text, hot_word text, example_order_id text,
	example_text text, score float8);
COMMENT ON TYPE minqing.alert_sheet_item IS
	'one item of alert_sheet(): urgency rank, kind (surge, class_case, hot_word, persistent) and its Chinese name, the category, the area (code, name, level) and place (WGS 84, class cases), since and last day, observed, expected, threshold, observed/expected, p (q for class cases and persistent excesses), department and where it came from (mapping, orders, unassigned), evidence counts and sentence, the hot word, one example complaint, the ranking score -log10 p';

CREATE FUNCTION minqing.alert_sheet(orders regclass, unit_code text, as_of date,
		units regclass DEFAULT 'minqing.admin_unit', departments regclass DEFAULT 'minqing.category_department',
		max_items int DEFAULT 30)
	RETURNS SETOF minqing.alert_sheet_item
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off
AS $body$
-- stable: reads tables, and days are cut in the session's TimeZone
DECLARE
	code text := alert_sheet.unit_code;
	lvl int;
	prefix text;       -- the unit's subtree: codes starting with it
	read_prefix text;  -- what is read: the subtree, or a grid's community
	read_hi text;      -- the next prefix (an index range on unit_code)
	uname text;
	cut timestamptz;
	has_geom boolean; has_caller boolean; has_dept boolean; has_content boolean;
	a_levels int[];    -- alarm levels: the unit and its children
	p_levels int[];    -- persistent-excess areas: children and grandchildren
	n bigint;
BEGIN
	IF orders IS NULL OR code IS NULL OR as_of IS NULL OR units IS NULL OR departments IS NULL THEN
		RETURN;
	END IF;
	IF max_items IS NULL OR max_items < 1 OR max_items > 1000 THEN
		RAISE EXCEPTION 'alert_sheet: max_items must be between 1 and 1000'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', max_items),
			      HINT = 'A morning sheet is read by people: the default is 30 items.';
	END IF;
	IF NOT pg_catalog.isfinite(as_of) THEN
		RAISE EXCEPTION 'alert_sheet: as_of must be a finite date'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', as_of),
			      HINT = 'Pass the morning of the sheet, e.g. current_date: it covers the days before it.';
	END IF;
	lvl := minqing.admin_level(code);   -- malformed codes: 22P02 from admin_level
	IF lvl < 3 THEN
		RAISE EXCEPTION 'alert_sheet: unit % is at level %, a sheet is for a district, street, community or grid', code, lvl
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass a code of level 3 (district) to 6 (grid); a city reads alarm_list() instead.';
	END IF;
	PERFORM minqing.index_check_columns(units, ARRAY['code', 'name'], 'units');
	EXECUTE pg_catalog.format('SELECT u.name::text FROM %s u WHERE u.code = $1 LIMIT 1', units) INTO uname USING code;
	IF uname IS NULL THEN
		RAISE EXCEPTION 'alert_sheet: unit % is not in %', code, units
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Pass the code of a row of the units table (a generated city: units => ''<schema>.admin_unit'').';
	END IF;
	PERFORM minqing.index_check_columns(orders, ARRAY['id', 'created_at', 'category_code', 'unit_code'], 'orders');
	PERFORM minqing.index_check_columns(departments, ARRAY['category_code', 'department'], 'departments');
	SELECT bool_or(a.attname = 'geom'), bool_or(a.attname = 'caller_id'), bool_or(a.attname = 'department'),
	       bool_or(a.attname = 'content')
	INTO has_geom, has_caller, has_dept, has_content
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = orders AND a.attnum > 0 AND NOT a.attisdropped;

	prefix := pg_catalog.left(code, CASE lvl WHEN 3 THEN 6 WHEN 4 THEN 9 WHEN 5 THEN 12 ELSE 15 END);
	read_prefix := CASE WHEN lvl = 6 THEN pg_catalog.left(code, 12) ELSE prefix END;
	read_hi := CASE WHEN read_prefix ~ '^9+$' THEN NULL
	                ELSE pg_catalog.lpad((read_prefix::numeric + 1)::text, pg_catalog.length(read_prefix), '0') END;
	a_levels := CASE lvl WHEN 6 THEN ARRAY[6] ELSE ARRAY[lvl, lvl + 1] END;
	p_levels := CASE lvl WHEN 3 THEN ARRAY[4, 5] WHEN 4 THEN ARRAY[5, 6] ELSE ARRAY[6] END;
	cut := as_of::timestamptz;

	RETURN QUERY EXECUTE pg_catalog.format($q$
		WITH o AS MATERIALIZED (   -- the subtree, the 431 days before the morning
			SELECT o.id::text AS id, o.created_at, o.category_code AS cat, o.unit_code AS u,
			       o.created_at::date AS d, o.unit_code LIKE $2 || '%%' AS inside,
			       %4$s AS geom, %5$s AS caller, %6$s AS dept, %7$s AS content
			FROM %1$s o
			WHERE o.unit_code >= $3 AND ($4::text IS NULL OR o.unit_code < $4)
			  AND o.unit_code LIKE $3 || '%%'
			  AND o.created_at >= ($5 - 431)::timestamptz AND o.created_at < $6
			  AND o.category_code IS NOT NULL),
		-- 1. surges: the 'auto' alarm of the unit and its children, running on the last 3 days
		daily AS (
			SELECT minqing.admin_ancestor(o.u, lv) AS u, o.cat, o.d, count(*)::float8 AS n
			FROM o CROSS JOIN pg_catalog.unnest($7::int[]) lv
			WHERE o.inside
			GROUP BY 1, 2, 3),
		first AS (SELECT min(daily.d) AS d0 FROM daily),
		-- only a series with a day of 5 or more orders in the scored 35 days can alarm there
		-- ('auto' scores such days only: min_cases 5), so only those are scored, sparsely in C
		-- (auto_alarm_run: the rows of auto_alarm over the gap-filled series, as alarm_history)
		pairs AS (SELECT DISTINCT daily.u, daily.cat FROM daily
		          WHERE daily.u IS NOT NULL AND daily.d >= $5 - 35 AND daily.n >= 5),
		runs AS (
			SELECT daily.u, daily.cat, array_agg(daily.d) AS days, array_agg(daily.n) AS ns
			FROM daily JOIN pairs p ON p.u = daily.u AND p.cat = daily.cat
			GROUP BY 1, 2),
		alarms AS (
			SELECT r.u, r.cat, x.day AS d, x.observed, x.expected, x.threshold, x.raised
			FROM runs r
			CROSS JOIN first f
			CROSS JOIN LATERAL minqing.auto_alarm_run(r.days, r.ns, $5 - 35, $5 - 1, f.d0) x),
		surge AS (
			SELECT a.u, a.cat, max(a.d) AS last_alarm,
			       COALESCE(max(a.d) FILTER (WHERE a.raised), min(a.d)) AS since,
			       (array_agg(a.observed ORDER BY a.d DESC))[1] AS observed,
			       (array_agg(a.expected ORDER BY a.d DESC))[1] AS expected,
			       (array_agg(a.threshold ORDER BY a.d DESC))[1] AS threshold
			FROM alarms a
			GROUP BY 1, 2
			HAVING max(a.d) >= $5 - 3),
		surge_items AS (
			SELECT 1 AS grp, 'surge'::text AS kind, '突增'::text AS kind_zh, s.cat, s.u AS area,
			       NULL::geometry AS geom, s.since, s.last_alarm AS last_day, s.observed, s.expected, s.threshold,
			       -- Poisson P(X >= observed) at the expected count; 0 when nothing was expected
			       CASE WHEN s.expected > 0 THEN (minqing.area_excess(s.observed, s.expected, 1, 1)).p ELSE 0 END AS p,
			       NULL::text AS word
			FROM surge s),
		-- 2. class cases: chronic recurring places of the last 365 days active in the last 7
		cc AS (
			SELECT c.* FROM minqing.class_cases_run(%8$s, ($5 - 365)::timestamptz, $6, 100, interval '3 days',
			                                        NULL, NULL, 0.05, 'minqing.recurrence_rule', 2, $2) c
			WHERE %9$s AND c.chronic AND c.last_at >= ($5 - 7)::timestamptz),
		cc_items AS (
			SELECT 2 AS grp, 'class_case'::text AS kind, '类案'::text AS kind_zh, c.category_code AS cat,
			       c.unit_code AS area, c.geom, c.first_at::date AS since, c.last_at::date AS last_day,
			       c.incidents::float8 AS observed, c.background AS expected, NULL::float8 AS threshold,
			       c.q AS p, NULL::text AS word
			FROM cc c),
		-- 3. hot words: over-used in the last 7 days against the 28 days before
		recent AS (SELECT o.* FROM o WHERE o.inside AND o.content IS NOT NULL AND o.created_at >= ($5 - 7)::timestamptz),
		hot AS (
			SELECT t.* FROM minqing.top_terms(
				(SELECT minqing.term_counts(r.content) FROM recent r),
				(SELECT minqing.term_counts(o.content) FROM o
				 WHERE o.inside AND o.content IS NOT NULL
				   AND o.created_at >= ($5 - 35)::timestamptz AND o.created_at < ($5 - 7)::timestamptz), 10) t
			WHERE %10$s AND t.p < 1e-6 AND t.target_count >= 5 AND t.log_ratio >= 1),
		hot_items AS (
			SELECT 3 AS grp, 'hot_word'::text AS kind, '热词'::text AS kind_zh, w.cat, w.area, NULL::geometry AS geom,
			       w.since, w.last_day, h.target_count::float8 AS observed,
			       h.target_count / pg_catalog.power(2, h.log_ratio) AS expected, NULL::float8 AS threshold,
			       h.p, h.term AS word
			FROM hot h
			CROSS JOIN LATERAL (
				SELECT mode() WITHIN GROUP (ORDER BY r.cat) AS cat,
				       mode() WITHIN GROUP (ORDER BY minqing.admin_ancestor(r.u, $11)) AS area,
				       min(r.d) AS since, max(r.d) AS last_day
				FROM recent r WHERE pg_catalog.strpos(pg_catalog.lower(r.content), h.term) > 0) w),
		-- 4. persistent excess: a child or grandchild area with more orders of a category over the
		-- last 365 days than the unit's (a grid's: its community's) share predicts
		yr AS (SELECT o.u, o.cat FROM o WHERE o.created_at >= ($5 - 365)::timestamptz),
		ref_cat AS (SELECT yr.cat, count(*)::float8 AS n FROM yr GROUP BY 1),
		ref_all AS (SELECT count(*)::float8 AS n FROM yr),
		area_cat AS (
			SELECT minqing.admin_ancestor(yr.u, lv) AS area, yr.cat, count(*)::float8 AS n
			FROM yr CROSS JOIN pg_catalog.unnest($8::int[]) lv
			WHERE yr.u LIKE $2 || '%%'
			GROUP BY 1, 2),
		area_all AS (SELECT ac.area, sum(ac.n) AS n FROM area_cat ac GROUP BY 1),
		tests AS (
			-- Poisson P(X >= n) at the expected count = P(chi2(2n) <= 2 expected)
			SELECT ac.area, ac.cat, ac.n AS observed, aa.n * rc.n / ra.n AS expected,
			       ac.n / (aa.n * rc.n / ra.n) AS ratio, 1 - minqing.chi2_sf(2 * aa.n * rc.n / ra.n, 2 * ac.n) AS p
			FROM area_cat ac JOIN area_all aa ON aa.area = ac.area JOIN ref_cat rc ON rc.cat = ac.cat CROSS JOIN ref_all ra
			WHERE ac.area IS NOT NULL),
		tests_q AS (SELECT t.*, minqing.p_adjust_bh(t.p) OVER () AS q FROM tests t),
		persist AS (
			SELECT t.* FROM tests_q t WHERE t.q <= 0.001 AND t.ratio >= 1.5 AND t.observed >= 10),
		persist_items AS (
			SELECT 4 AS grp, 'persistent'::text AS kind, '常发'::text AS kind_zh, t.cat, t.area, NULL::geometry AS geom,
			       ($5 - 365) AS since, ($5 - 1) AS last_day, t.observed, t.expected, NULL::float8 AS threshold,
			       t.q AS p, NULL::text AS word
			FROM persist t
			-- the finest area says where: drop an area whose sub-area has the same category
			WHERE NOT EXISTS (SELECT 1 FROM persist f WHERE f.cat = t.cat AND f.area <> t.area
			                  AND f.area LIKE pg_catalog.left(t.area, (ARRAY[2, 4, 6, 9, 12, 15])[minqing.admin_level(t.area)]) || '%%'
			                  AND minqing.admin_level(f.area) > minqing.admin_level(t.area))
			  -- a running surge of the category in the area, above or below it, is the same event:
			  -- its item is listed first, the excess it makes is not listed again
			  AND NOT EXISTS (SELECT 1 FROM surge s WHERE s.cat = t.cat
			                  AND (t.area LIKE pg_catalog.left(s.u, (ARRAY[2, 4, 6, 9, 12, 15])[minqing.admin_level(s.u)]) || '%%'
			                       OR s.u LIKE pg_catalog.left(t.area, (ARRAY[2, 4, 6, 9, 12, 15])[minqing.admin_level(t.area)]) || '%%'))),
		items AS (
			SELECT * FROM surge_items UNION ALL SELECT * FROM cc_items
			UNION ALL SELECT * FROM hot_items UNION ALL SELECT * FROM persist_items),
		ranked AS (
			SELECT i.*, -pg_catalog.log(greatest(COALESCE(i.p, 1), 1e-300)::numeric)::float8 AS score
			FROM items i),
		top AS (
			SELECT r.*, pg_catalog.row_number() OVER (ORDER BY r.grp, r.score DESC, r.area, r.cat, r.word)::int AS rk
			FROM ranked r)
		SELECT t.rk, t.kind, t.kind_zh, t.cat, c.name_zh, c.name_en, t.area, un.name::text,
		       minqing.admin_level(t.area), ST_X(pt.g), ST_Y(pt.g),
		       t.since, t.last_day, t.observed, t.expected, t.threshold,
		       CASE WHEN t.expected > 0 THEN t.observed / t.expected END, t.p,
		       COALESCE(dm.department, ev.dept), CASE WHEN dm.department IS NOT NULL THEN 'mapping'
		                                              WHEN ev.dept IS NOT NULL THEN 'orders' ELSE 'unassigned' END,
		       ev.orders, ev.callers,
		       CASE t.kind
		            WHEN 'surge' THEN pg_catalog.format('%%s 件 orders on %%s, expected %%s (threshold %%s); %%s 件 orders since %%s',
		                 t.observed, t.last_day, round(t.expected::numeric, 1), round(t.threshold::numeric, 1), ev.orders, t.since)
		            WHEN 'class_case' THEN pg_catalog.format('%%s incidents at one place (%%s 件 orders, %%s callers) since %%s, last %%s; background %%s',
		                 t.observed, ev.orders, ev.callers, t.since, t.last_day, round(t.expected::numeric, 2))
		            WHEN 'hot_word' THEN pg_catalog.format('"%%s" %%s times in 7 days, %%s expected; %%s 件 orders',
		                 t.word, t.observed, round(t.expected::numeric, 1), ev.orders)
		            ELSE pg_catalog.format('%%s 件 orders in 365 days, %%s expected from the %%s share (x%%s)',
		                 t.observed, round(t.expected::numeric, 1), CASE WHEN $9 = 6 THEN 'community''s' ELSE 'unit''s' END,
		                 round((t.observed / nullif(t.expected, 0))::numeric, 1)) END,
		       t.word, ev.ex_id, ev.ex_text, t.score
		FROM top t
		LEFT JOIN minqing.category c ON c.code = t.cat
		LEFT JOIN %12$s un ON un.code = t.area
		LEFT JOIN LATERAL (SELECT d.department::text AS department FROM %13$s d WHERE d.category_code = t.cat
		                   ORDER BY %14$s LIMIT 1) dm ON true
		LEFT JOIN LATERAL (SELECT CASE WHEN t.geom IS NULL OR ST_SRID(t.geom) = 0 THEN NULL
		                               ELSE ST_Transform(t.geom, 4326) END AS g) pt ON true
		LEFT JOIN LATERAL (   -- the orders behind the item, its example text and the orders' department
			SELECT count(*) AS orders, count(DISTINCT e.caller) AS callers,
			       mode() WITHIN GROUP (ORDER BY e.dept) AS dept,
			       (array_agg(e.id ORDER BY e.created_at DESC, e.id) FILTER (WHERE e.content IS NOT NULL))[1] AS ex_id,
			       (array_agg(e.content ORDER BY e.created_at DESC, e.id) FILTER (WHERE e.content IS NOT NULL))[1] AS ex_text
			FROM o e
			WHERE e.inside AND (t.kind = 'hot_word'
			                    OR e.u LIKE pg_catalog.left(t.area, (ARRAY[2, 4, 6, 9, 12, 15])[minqing.admin_level(t.area)]) || '%%')
			  AND CASE t.kind
			      WHEN 'surge' THEN e.cat = t.cat AND e.d >= t.since
			      WHEN 'class_case' THEN e.cat = t.cat AND e.created_at >= ($5 - 365)::timestamptz
			                             AND e.geom IS NOT NULL AND ST_DWithin(e.geom::geography, t.geom::geography, 50)
			      WHEN 'hot_word' THEN e.created_at >= ($5 - 7)::timestamptz AND e.content IS NOT NULL
			                           AND pg_catalog.strpos(pg_catalog.lower(e.content), t.word) > 0
			      ELSE e.cat = t.cat AND e.created_at >= ($5 - 365)::timestamptz END) ev ON true
		WHERE t.rk <= $10
		ORDER BY t.rk$q$,
		orders, NULL, NULL,
		CASE WHEN has_geom THEN 'o.geom' ELSE 'NULL::geometry' END,
		CASE WHEN has_caller THEN 'o.caller_id::text' ELSE 'NULL::text' END,
		CASE WHEN has_dept THEN 'o.department::text' ELSE 'NULL::text' END,
		CASE WHEN has_content THEN 'o.content::text' ELSE 'NULL::text' END,
		pg_catalog.quote_literal(orders::text) || '::regclass',
		CASE WHEN has_geom AND has_caller AND has_dept THEN 'true' ELSE 'false' END,
		CASE WHEN has_content THEN 'true' ELSE 'false' END,
		NULL, units, departments,
		CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = departments
		                  AND a.attname = 'builtin' AND a.attnum > 0 AND NOT a.attisdropped)
		     THEN 'd.builtin' ELSE 'd.department' END)
	USING orders, prefix, read_prefix, read_hi, as_of, cut, a_levels, p_levels, lvl, max_items,
	      CASE WHEN lvl = 6 THEN 6 ELSE lvl + 1 END;
END
$body$;
COMMENT ON FUNCTION minqing.alert_sheet(regclass, text, date, regclass, regclass, int) IS
	'the morning alert sheet (民情预警单) of a district, street, community or grid on as_of (orders created before as_of 00:00 in the session TimeZone), one row per actionable item in urgency order: surges (''auto'' alarms of the unit and its children running on the last 3 days), chronic class cases active in the last 7 days, hot words of the last 7 days, persistent excesses of its sub-areas over 365 days; what, where, since when, observed vs expected, the responsible department (departments table, else the orders'' most frequent), evidence counts and an example complaint';

CREATE FUNCTION minqing.alert_sheet_html(orders regclass, unit_code text, as_of date,
		units regclass DEFAULT 'minqing.admin_unit', departments regclass DEFAULT 'minqing.category_department',
		max_items int DEFAULT 30)
	RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables, and days are cut in the session's TimeZone
DECLARE
	code text := alert_sheet_html.unit_code;
	uname text;
	items minqing.alert_sheet_item[];
	body_rows text;
	n int;
BEGIN
	IF orders IS NULL OR code IS NULL OR as_of IS NULL OR units IS NULL OR departments IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT pg_catalog.array_agg(s ORDER BY s.urgency_rank) INTO items
	FROM minqing.alert_sheet(orders, code, as_of, units, departments, max_items) s;
	SELECT pg_catalog.string_agg(pg_catalog.format(
	           '<tr class="%s"><td class="num">%s</td><td>%s<br><span class="en">%s</span></td>'
	           '<td><b>%s</b><br><span class="en">%s</span>%s</td>'
	           '<td>%s<br><span class="en">%s</span>%s</td>'
	           '<td class="num">%s</td><td class="num">%s / %s<br><span class="en">×%s</span></td>'
	           '<td>%s</td><td>%s%s</td></tr>',
	           s.kind, s.urgency_rank, minqing.html_escape(s.kind_zh),
	           CASE s.kind WHEN 'surge' THEN 'surge' WHEN 'class_case' THEN 'class case'
	                       WHEN 'hot_word' THEN 'hot word' ELSE 'persistent' END,
	           minqing.html_escape(COALESCE(s.category_name_zh, s.category_code)),
	           minqing.html_escape(COALESCE(s.category_name_en, '')),
	           CASE WHEN s.hot_word IS NOT NULL THEN '<br>热词 hot word: <b>' || minqing.html_escape(s.hot_word) || '</b>' ELSE '' END,
	           minqing.html_escape(COALESCE(s.area_name, s.area_code)), minqing.html_escape(s.area_code),
	           CASE WHEN s.place_lon IS NOT NULL
	                THEN pg_catalog.format('<br><span class="note">%s, %s</span>', round(s.place_lat::numeric, 5), round(s.place_lon::numeric, 5))
	                ELSE '' END,
	           s.since, minqing.html_escape(s.observed::text),
	           minqing.html_escape(COALESCE(round(s.expected::numeric, 1)::text, '–')),
	           COALESCE(round(s.excess_ratio::numeric, 1)::text, '–'),
	           minqing.html_escape(COALESCE(s.department, '未指定 unassigned'))
	               || CASE s.department_source WHEN 'orders' THEN '<br><span class="note">(按工单 from the orders)</span>' ELSE '' END,
	           minqing.html_escape(s.evidence),
	           CASE WHEN s.example_text IS NOT NULL
	                THEN '<blockquote>' || minqing.html_escape(pg_catalog.left(s.example_text, 240))
	                     || CASE WHEN pg_catalog.length(s.example_text) > 240 THEN '…' ELSE '' END
	                     || '<br><span class="note">工单 order ' || minqing.html_escape(s.example_order_id) || '</span></blockquote>'
	                ELSE '' END),
	       E'\n' ORDER BY s.urgency_rank), count(*)
	INTO body_rows, n
	FROM pg_catalog.unnest(items) s;
	-- alert_sheet checked the unit
	EXECUTE pg_catalog.format('SELECT u.name::text FROM %s u WHERE u.code = $1 LIMIT 1', units) INTO uname USING code;
	RETURN minqing.html_page(
		pg_catalog.format('民情预警单 Alert sheet · %s · %s', uname, as_of),
		'<header><h1>民情预警单 <span class="en">Alert sheet</span></h1>'
		|| pg_catalog.format('<p class="sub"><b>%s</b> (%s) · %s · 截至 %s 00:00 的工单 orders before %s 00:00 (%s) · %s 项 items</p></header>',
		       minqing.html_escape(uname), minqing.html_escape(code), as_of, as_of, as_of,
		       minqing.html_escape(pg_catalog.current_setting('TimeZone')), n)
		|| E'\n<table class="sheet"><thead><tr><th class="num">#</th><th>类型<br><span class="en">Kind</span></th>'
		|| '<th>事项<br><span class="en">What</span></th><th>位置<br><span class="en">Where</span></th>'
		|| '<th class="num">起始<br><span class="en">Since</span></th><th class="num">实际 / 预期<br><span class="en">Observed / expected</span></th>'
		|| '<th>责任部门<br><span class="en">Department</span></th><th>依据<br><span class="en">Evidence</span></th></tr></thead>'
		|| E'\n<tbody>\n'
		|| COALESCE(body_rows, '<tr><td colspan="8">今日无预警事项 <span class="en">Nothing to act on this morning</span></td></tr>')
		|| E'\n</tbody></table>\n'
		|| '<footer>类型 Kinds: 突增 surge = 今日预警 a running alarm (seasonality-aware, last 3 days); 类案 class case = 同一地点反复发生 '
		|| 'a problem recurring at one place (last 365 days, active in the last 7); 热词 hot word = 近7日突出词语 words over-used in '
		|| 'the last 7 days; 常发 persistent = 一年来高于本单元平均 more orders over 365 days than the unit''s share predicts. '
		|| '实际 / 预期 = observed / expected, × = their ratio. minqing alert_sheet.</footer>',
		'zh-CN',
		'tr.surge td:first-child{border-left:5px solid #b2182b}tr.class_case td:first-child{border-left:5px solid #ef8a62}'
		|| 'tr.hot_word td:first-child{border-left:5px solid #fddbc7}tr.persistent td:first-child{border-left:5px solid #67a9cf}'
		|| 'blockquote{margin:4px 0 0;padding:2px 6px;border-left:3px solid #bbb;color:#333;font-size:12px}'
		|| 'tbody tr:nth-child(even){background:#f5f7fa}table.sheet{table-layout:fixed;font-size:13px}table.sheet td{overflow-wrap:anywhere}'
		|| 'table.sheet th:nth-child(1){width:4%}table.sheet th:nth-child(2){width:7%}table.sheet th:nth-child(3){width:13%}'
		|| 'table.sheet th:nth-child(4){width:14%}table.sheet th:nth-child(5){width:11%}table.sheet th:nth-child(6){width:10%}'
		|| 'table.sheet th:nth-child(7){width:11%}table.sheet th:nth-child(8){width:30%}');
END
$body$;
COMMENT ON FUNCTION minqing.alert_sheet_html(regclass, text, date, regclass, regclass, int) IS
	'alert_sheet() as one printable, self-contained bilingual HTML page (民情预警单 / Alert sheet): the unit, the date, the items in urgency order with department, evidence and an example complaint; all text escaped, no scripts or external resources';
