----------------------------------------------------------------------------
-- Class cases and repeat calls (SPEC §9, docs/class_cases.md): space-time
-- DBSCAN (src/stdbscan.c), repeat flags and first-contact resolution
-- (src/repeat.c), the Knox test (src/knox.c), recurring places
-- (class_cases), caller profiles (src/profile.c).
-- Window functions cannot be STRICT: NULL rows get NULL results in C.
-- Distances: CRS units, or meters for geographic (lon/lat) SRIDs.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.st_dbscan(geom geometry, t timestamptz, eps float8, eps_time interval, minpoints int)
	RETURNS int
	AS 'MODULE_PATHNAME', 'st_dbscan'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.st_dbscan(geometry, timestamptz, float8, interval, int) IS
	'window: space-time DBSCAN cluster id (0, 1, … by first row; NULL for noise): neighbours within eps (meters for lon/lat) and eps_time, minpoints counting the point itself; border points join their nearest core neighbour''s cluster';

-- Repeat calls (重复来电) and first-contact resolution (一次解决率)
CREATE TYPE minqing.repeat_result AS (is_repeat boolean, followed boolean, prior_gap_days float8);
COMMENT ON TYPE minqing.repeat_result IS
	'repeat_flag(): is_repeat (same caller, same category in (t - within, t)), followed (another in (t, t + within]), prior_gap_days (days since the latest earlier one when a repeat)';

CREATE FUNCTION minqing.repeat_flag(category_code text, t timestamptz, within interval DEFAULT '30 days')
	RETURNS minqing.repeat_result
	AS 'MODULE_PATHNAME', 'repeat_flag'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.repeat_flag(text, timestamptz, interval) IS
	'window over PARTITION BY caller_id: (is_repeat, followed, prior_gap_days) of an order among the caller''s orders of the same category within the interval (a month counts 30 days)';

CREATE FUNCTION minqing.repeat_flag(caller_id text, category_code text, t timestamptz, within interval DEFAULT '30 days')
	RETURNS minqing.repeat_result
	AS 'MODULE_PATHNAME', 'repeat_flag_caller'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.repeat_flag(text, text, timestamptz, interval) IS
	'window over PARTITION BY caller_id: as repeat_flag(category_code, t, within), and a NULL caller_id gives (false, false, NULL): anonymous orders are never repeats';

-- Knox test for space-time interaction
CREATE TYPE minqing.knox_result AS (n bigint, pairs float8, close_space float8, close_time float8,
	observed float8, expected float8, ratio float8, p float8);
COMMENT ON TYPE minqing.knox_result IS
	'knox(): n points, n(n-1)/2 pairs, pairs close in space, in time, in both (observed X), expected E = close_space*close_time/pairs, ratio X/E, p = P(Poisson(E) >= X)';

CREATE FUNCTION minqing.knox_trans(state bytea, geom geometry, t timestamptz, eps float8, eps_time interval) RETURNS bytea
	AS 'MODULE_PATHNAME', 'knox_trans' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.knox_trans(bytea, geometry, timestamptz, float8, interval) IS
	'transition function of knox(): appends the point (x, y, t) to the portable state';
-- stable because geographic SRIDs outside the built-in list are looked up in spatial_ref_sys
CREATE FUNCTION minqing.knox_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'knox_combine' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.knox_combine(bytea, bytea) IS
	'combine function of knox(): concatenates the points of two partial states (pairs across them must be counted too)';
CREATE FUNCTION minqing.knox_final(state bytea) RETURNS minqing.knox_result
	AS 'MODULE_PATHNAME', 'knox_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.knox_final(bytea) IS
	'final function of knox(): counts close pairs with the grid neighbour search and returns the Knox statistics';

CREATE AGGREGATE minqing.knox(geom geometry, t timestamptz, eps float8, eps_time interval) (
	SFUNC = minqing.knox_trans, STYPE = bytea,
	COMBINEFUNC = minqing.knox_combine, FINALFUNC = minqing.knox_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.knox(geometry, timestamptz, float8, interval) IS
	'Knox test of space-time interaction (R surveillance::knox X and E; p = P(Poisson(E) >= X)); the state keeps the points (at most 5,000,000) so partial states combine exactly';

-- Repeat rate, first-contact resolution and false resolutions by unit and
-- department (call-centre convention: resolved at first contact = no repeat
-- of the same caller and category within `within`).
CREATE FUNCTION minqing.repeat_kpi(orders regclass, period_start timestamptz, period_end timestamptz,
		within interval DEFAULT '30 days', confidence float8 DEFAULT 0.95)
	RETURNS TABLE (group_by text, group_code text, order_count bigint, orders_with_caller bigint,
		repeat_orders bigint, repeat_rate float8, repeat_lo float8, repeat_hi float8,
		first_contacts bigint, fcr float8, fcr_lo float8, fcr_hi float8,
		resolved_orders bigint, false_resolutions bigint, false_resolution_rate float8,
		false_resolution_lo float8, false_resolution_hi float8)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables
BEGIN
	IF orders IS NULL OR period_start IS NULL OR period_end IS NULL OR within IS NULL THEN
		RETURN;
	END IF;
	IF NOT (period_start < period_end) OR NOT pg_catalog.isfinite(period_start) OR NOT pg_catalog.isfinite(period_end) THEN
		RAISE EXCEPTION 'period_start must be before period_end'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = pg_catalog.format('Got %s and %s.', period_start, period_end),
			      HINT = 'Pass a finite half-open period [period_start, period_end).';
	END IF;
	IF NOT (within > interval '0') THEN
		RAISE EXCEPTION 'within must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', within),
			      HINT = 'Pass the repeat window, e.g. ''30 days''.';
	END IF;
	PERFORM minqing.index_check_columns(orders, ARRAY['id', 'created_at', 'category_code', 'unit_code',
		'resolved', 'caller_id', 'department'], 'orders');
	RETURN QUERY EXECUTE pg_catalog.format($q$
		WITH flagged AS (
			SELECT o.created_at, o.unit_code, o.department, o.resolved, o.caller_id,
			       minqing.repeat_flag(o.caller_id, o.category_code, o.created_at, $3)
			           OVER (PARTITION BY o.caller_id ORDER BY o.created_at) AS r
			FROM %1$s o
			WHERE o.created_at >= $1 - $3 AND o.created_at <= $2 + $3),
		inside AS (
			SELECT f.* FROM flagged f WHERE f.created_at >= $1 AND f.created_at < $2),
		grouped AS (
			SELECT g.kind, g.code, count(*) AS n,
			       count(*) FILTER (WHERE i.caller_id IS NOT NULL AND (i.r).is_repeat IS NOT NULL) AS n_caller,
			       minqing.rate((i.r).is_repeat, $4) FILTER (WHERE i.caller_id IS NOT NULL) AS rep,
			       minqing.rate(NOT (i.r).followed, $4) FILTER (WHERE i.caller_id IS NOT NULL AND NOT (i.r).is_repeat) AS fcr,
			       minqing.rate((i.r).followed, $4) FILTER (WHERE i.caller_id IS NOT NULL AND i.resolved) AS fr
			FROM inside i
			CROSS JOIN LATERAL (VALUES ('all', 'all'), ('unit', i.unit_code), ('department', i.department)) g (kind, code)
			WHERE g.code IS NOT NULL
			GROUP BY g.kind, g.code)
		SELECT g.kind, g.code, g.n, g.n_caller,
		       (g.rep).k, (g.rep).p, (g.rep).lo, (g.rep).hi,
		       (g.fcr).n, (g.fcr).p, (g.fcr).lo, (g.fcr).hi,
		       (g.fr).n, (g.fr).k, (g.fr).p, (g.fr).lo, (g.fr).hi
		FROM grouped g
		ORDER BY CASE g.kind WHEN 'all' THEN 0 WHEN 'unit' THEN 1 ELSE 2 END, g.code$q$, orders)
	USING period_start, period_end, within, confidence;
END
$body$;
COMMENT ON FUNCTION minqing.repeat_kpi(regclass, timestamptz, timestamptz, interval, float8) IS
	'repeat rate, first-contact resolution (non-repeat orders not followed within `within`) and false resolutions (resolved orders followed by a repeat) of the orders in [period_start, period_end), for the whole city, each unit_code and each department, with Wilson intervals (minqing.rate); orders without caller_id are counted but excluded from the three rates';

----------------------------------------------------------------------------
-- Recurring places (类案): place_scan (src/class_cases.c), the recurrence
-- rules, class_cases() and the weekly review list
----------------------------------------------------------------------------
CREATE TYPE minqing.place_scan_result AS (place int, center boolean, members int, nearby int,
	background float8, p float8);
COMMENT ON TYPE minqing.place_scan_result IS
	'place_scan(): place id (0, 1, … strongest first), whether the row is the place''s centre, incidents in the place, incidents within background_radius of the centre, background = expected other incidents within radius, p = P(Poisson(background) >= members - 1)';

-- stable because geographic SRIDs outside the built-in list are looked up in spatial_ref_sys
CREATE FUNCTION minqing.place_scan(geom geometry, radius float8, background_radius float8)
	RETURNS minqing.place_scan_result
	AS 'MODULE_PATHNAME', 'place_scan'
	LANGUAGE C STABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.place_scan(geometry, float8, float8) IS
	'window over incidents of one category: greedy recurring places (the incident least likely under its local background takes every unassigned incident within radius), with the Poisson p of each place against the ring out to background_radius; meters for lon/lat';

CREATE TABLE minqing.recurrence_rule (
	name        text PRIMARY KEY,
	incidents   int NOT NULL CHECK (incidents >= 2),
	within_days int NOT NULL CHECK (within_days > 0),
	note        text,
	builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE minqing.recurrence_rule IS
	'recurrence rules of class_cases(): a place fires a rule when `incidents` incidents start within `within_days` days; rows with builtin = false are yours and are kept by pg_dump';
COMMENT ON COLUMN minqing.recurrence_rule.builtin IS
	'true for the rows shipped with minqing (re-created by CREATE EXTENSION, not dumped)';
INSERT INTO minqing.recurrence_rule (name, incidents, within_days, note, builtin) VALUES
	('2/30', 2, 30, 'the same problem twice within a month', true),
	('3/90', 3, 90, 'three times within a quarter', true),
	('4/365', 4, 365, 'four times within a year', true);
SELECT pg_catalog.pg_extension_config_dump('minqing.recurrence_rule', 'WHERE NOT builtin');

-- the body of class_cases() (PL/pgSQL cannot name a result column like a parameter)
CREATE FUNCTION minqing.class_cases_run(src regclass, period_start timestamptz, period_end timestamptz,
		eps float8, eps_time interval, place_radius float8, background_radius float8,
		alpha float8, rules regclass, min_callers int, unit_prefix text DEFAULT NULL)
	RETURNS TABLE (rank bigint, category_code text, unit_code text, department text, geom geometry,
		order_count bigint, incidents int, callers bigint, active_weeks bigint,
		first_at timestamptz, last_at timestamptz, background float8, p float8, q float8,
		chronic boolean, rule text, rules_fired text[], trend float8, trend_label text)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables
DECLARE
	r float8 := COALESCE(place_radius, eps / 2);
	big_r float8 := COALESCE(background_radius, 3 * COALESCE(place_radius, eps / 2));
	half timestamptz;
BEGIN
	IF src IS NULL OR period_start IS NULL OR period_end IS NULL OR eps IS NULL OR eps_time IS NULL
	   OR alpha IS NULL OR rules IS NULL OR min_callers IS NULL THEN
		RETURN;
	END IF;
	IF NOT (period_start < period_end) OR NOT pg_catalog.isfinite(period_start) OR NOT pg_catalog.isfinite(period_end) THEN
		RAISE EXCEPTION 'period_start must be before period_end'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = pg_catalog.format('Got %s and %s.', period_start, period_end),
			      HINT = 'Pass a finite half-open period [period_start, period_end).';
	END IF;
	IF NOT (eps > 0) OR eps = 'Infinity' OR NOT (r > 0) OR r = 'Infinity' OR NOT (big_r > r) OR big_r = 'Infinity' THEN
		RAISE EXCEPTION 'eps and place_radius must be positive and background_radius larger than place_radius'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = pg_catalog.format('Got eps %s, place_radius %s, background_radius %s.', eps, r, big_r),
			      HINT = 'Use meters for geographic input, e.g. eps 100 (place_radius defaults to eps / 2, background_radius to 3 times place_radius).';
	END IF;
	IF NOT (alpha > 0 AND alpha < 1) THEN
		RAISE EXCEPTION 'alpha must be between 0 and 1'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', alpha),
			      HINT = 'The false discovery rate of chronic places, e.g. 0.05.';
	END IF;
	PERFORM minqing.index_check_columns(src, ARRAY['id', 'created_at', 'category_code', 'unit_code',
		'geom', 'caller_id', 'department'], 'orders');
	PERFORM minqing.index_check_columns(rules, ARRAY['name', 'incidents', 'within_days'], 'rules');
	half := period_start + (period_end - period_start) / 2;
	RETURN QUERY EXECUTE pg_catalog.format($q$
		WITH o AS (
			SELECT o.id, o.created_at, o.category_code, o.unit_code, o.department, o.caller_id, o.geom
			FROM %1$s o
			WHERE o.created_at >= $1 AND o.created_at < $2 AND o.geom IS NOT NULL AND o.category_code IS NOT NULL
			  AND ($10::text IS NULL OR o.unit_code LIKE $10::text || '%%')),
		dup AS (   -- incidents: duplicates of one event (same category, near in space and time) merged
			SELECT o.*, minqing.st_dbscan(o.geom, o.created_at, $3, $4, 1)
			                OVER (PARTITION BY o.category_code) AS incident
			FROM o),
		inc AS (
			SELECT d.category_code, d.incident, ST_Centroid(ST_Collect(d.geom)) AS geom, min(d.created_at) AS t0
			FROM dup d GROUP BY d.category_code, d.incident),
		placed AS (
			SELECT i.*, minqing.place_scan(i.geom, $5, $6) OVER (PARTITION BY i.category_code) AS ps
			FROM inc i),
		rec AS (   -- incidents of recurring places (two or more incidents)
			SELECT p.category_code, (p.ps).place AS place, p.incident, p.t0, p.geom,
			       (p.ps).members AS members, (p.ps).background AS background, (p.ps).p AS p
			FROM placed p WHERE (p.ps).members >= 2),
		windows AS (  -- the recurrence rules: k incidents starting within W days of an incident
			SELECT a.category_code, a.place, a.incident, ru.name, ru.within_days, ru.incidents AS k, count(*) AS n
			FROM rec a
			JOIN rec b ON b.category_code = a.category_code AND b.place = a.place AND b.t0 >= a.t0
			CROSS JOIN %2$s ru
			WHERE b.t0 < a.t0 + pg_catalog.make_interval(days => ru.within_days)
			GROUP BY a.category_code, a.place, a.incident, ru.name, ru.within_days, ru.incidents),
		rules_hit AS (
			SELECT w.category_code, w.place,
			       array_agg(DISTINCT w.name ORDER BY w.name) AS names,
			       (array_agg(w.name ORDER BY w.within_days, w.k DESC, w.name))[1] AS first_name
			FROM windows w WHERE w.n >= w.k
			GROUP BY w.category_code, w.place),
		places AS (
			SELECT r.category_code, r.place, max(r.members) AS incidents, max(r.background) AS background,
			       max(r.p) AS p, ST_Centroid(ST_Collect(r.geom)) AS geom,
			       count(*) FILTER (WHERE r.t0 >= $7) AS second_half, count(*) FILTER (WHERE r.t0 < $7) AS first_half
			FROM rec r GROUP BY r.category_code, r.place),
		members AS (
			SELECT r.category_code, r.place, d.id, d.created_at, d.unit_code, d.department, d.caller_id
			FROM rec r JOIN dup d ON d.category_code = r.category_code AND d.incident = r.incident),
		facts AS (
			SELECT m.category_code, m.place, count(*) AS orders, count(DISTINCT m.caller_id) AS callers,
			       count(DISTINCT date_trunc('week', m.created_at)) AS active_weeks,
			       min(m.created_at) AS first_at, max(m.created_at) AS last_at,
			       mode() WITHIN GROUP (ORDER BY m.unit_code) AS unit_code,
			       mode() WITHIN GROUP (ORDER BY m.department) AS department
			FROM members m GROUP BY m.category_code, m.place),
		ranked AS (
			SELECT p.*, pg_catalog.row_number() OVER (ORDER BY p.p, p.incidents DESC, p.category_code, p.place) AS i,
			       pg_catalog.count(*) OVER () AS m
			FROM places p),
		bh AS (
			SELECT r.*, greatest(r.p, least(1.0::float8, min(r.p * r.m / r.i) OVER (ORDER BY r.i DESC))) AS q FROM ranked r)
		SELECT pg_catalog.row_number() OVER (ORDER BY (b.q <= $8 AND h.names IS NOT NULL AND f.callers >= $9) DESC, b.q, b.p,
		                                              b.incidents DESC, f.orders DESC, b.category_code, b.place),
		       b.category_code, f.unit_code, f.department, b.geom, f.orders, b.incidents::int, f.callers,
		       f.active_weeks, f.first_at, f.last_at, b.background, b.p, b.q,
		       (b.q <= $8 AND h.names IS NOT NULL AND f.callers >= $9), h.first_name, COALESCE(h.names, '{}'),
		       ln((b.second_half + 0.5) / (b.first_half + 0.5))::float8,
		       CASE WHEN ln((b.second_half + 0.5) / (b.first_half + 0.5)) >= ln(2) THEN 'rising'
		            WHEN ln((b.second_half + 0.5) / (b.first_half + 0.5)) <= -ln(2) THEN 'falling'
		            ELSE 'steady' END
		FROM bh b
		JOIN facts f ON f.category_code = b.category_code AND f.place = b.place
		LEFT JOIN rules_hit h ON h.category_code = b.category_code AND h.place = b.place
		ORDER BY 1$q$, src, rules)
	USING period_start, period_end, eps, eps_time, r, big_r, half, alpha, min_callers, unit_prefix;
END
$body$;
COMMENT ON FUNCTION minqing.class_cases_run(regclass, timestamptz, timestamptz, float8, interval, float8, float8, float8, regclass, int, text) IS
	'internal: the body of class_cases(); unit_prefix (alert_sheet) keeps only the orders whose unit_code starts with it';

CREATE FUNCTION minqing.class_cases(orders regclass, period_start timestamptz, period_end timestamptz,
		eps float8 DEFAULT 100, eps_time interval DEFAULT '3 days',
		place_radius float8 DEFAULT NULL, background_radius float8 DEFAULT NULL,
		alpha float8 DEFAULT 0.05, rules regclass DEFAULT 'minqing.recurrence_rule', min_callers int DEFAULT 2)
	RETURNS TABLE (rank bigint, category_code text, unit_code text, department text, geom geometry,
		orders bigint, incidents int, callers bigint, active_weeks bigint,
		first_at timestamptz, last_at timestamptz, background float8, p float8, q float8,
		chronic boolean, rule text, rules_fired text[], trend float8, trend_label text)
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
	SELECT * FROM minqing.class_cases_run($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
$body$;
COMMENT ON FUNCTION minqing.class_cases(regclass, timestamptz, timestamptz, float8, interval, float8, float8, float8, regclass, int) IS
	'recurring place-and-category problems of a period, strongest first: duplicates merged into incidents (st_dbscan within eps and eps_time), incidents grouped into places (place_scan within place_radius), Poisson p against the local background out to background_radius, Benjamini-Hochberg q across places, the recurrence rules fired (rules table), chronic = q <= alpha, a rule fired and at least min_callers callers; active weeks and trend';

-- The Monday list (每周一议): chronic class cases still active in the week
-- before week_start, per department, with whether each is new since the
-- previous week's list.
CREATE FUNCTION minqing.class_case_review(orders regclass, week_start date, lookback interval DEFAULT '1 year',
		eps float8 DEFAULT 100, eps_time interval DEFAULT '3 days')
	RETURNS TABLE (department text, rank bigint, category_code text, unit_code text, geom geometry,
		incidents int, orders bigint, callers bigint, active_weeks bigint, first_at timestamptz,
		last_at timestamptz, p float8, q float8, rule text, trend_label text, new_this_week boolean)
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
	-- stable: reads tables; weeks are cut in the session's TimeZone
	WITH now_list AS (
		SELECT c.* FROM minqing.class_cases($1, ($2 - $3)::timestamptz, $2::timestamptz, $4, $5) c
		WHERE c.chronic AND c.last_at >= ($2 - 7)::timestamptz),
	before AS (
		SELECT c.* FROM minqing.class_cases($1, ($2 - 7 - $3)::timestamptz, ($2 - 7)::timestamptz, $4, $5) c
		WHERE c.chronic)
	SELECT n.department, n.rank, n.category_code, n.unit_code, n.geom, n.incidents, n.orders, n.callers,
	       n.active_weeks, n.first_at, n.last_at, n.p, n.q, n.rule, n.trend_label,
	       NOT EXISTS (SELECT 1 FROM before b WHERE b.category_code = n.category_code
	                   AND ST_DWithin(b.geom::geography, n.geom::geography, 2 * $4))
	FROM now_list n
	ORDER BY n.department, n.rank
$body$;
COMMENT ON FUNCTION minqing.class_case_review(regclass, date, interval, float8, interval) IS
	'the weekly review list (每周一议): chronic class_cases() over the lookback before week_start that had an order in the last 7 days, by department, strongest first, with new_this_week when the previous week''s list did not have the place';

----------------------------------------------------------------------------
-- Caller profiles (typology of seed 004): caller_profile aggregate
-- (src/profile.c), the type rules, unit-level shares through suppress()
----------------------------------------------------------------------------
CREATE TYPE minqing.caller_profile_result AS (orders bigint, active_months int, first_at timestamptz,
	last_at timestamptz, span_days float8, categories int, category_entropy float8,
	top_category_share float8, repeat_share float8, dissatisfied_share float8, night_share float8,
	distinct_places int, caller_type text);
COMMENT ON TYPE minqing.caller_profile_result IS
	'caller_profile(): orders, active months, first/last order, span in days, distinct categories, category entropy (bits), share of the top category, repeat share (same category within 30 days), dissatisfied share (of non-NULL satisfied), night share (22:00-05:59 in the session TimeZone), distinct places (points linked within 100 m), caller_type from minqing.caller_type_rule';

CREATE TABLE minqing.caller_type_rule (
	code                   text PRIMARY KEY,
	name_zh                text NOT NULL,
	name_en                text NOT NULL,
	priority               int NOT NULL,
	min_orders             bigint,
	max_orders             bigint,
	min_category_entropy   float8,
	min_top_category_share float8,
	min_repeat_share       float8,
	max_repeat_share       float8,
	min_dissatisfied_share float8,
	min_night_share        float8,
	max_night_share        float8,
	min_distinct_places    int,
	max_distinct_places    int,
	note                   text,
	builtin                boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE minqing.caller_type_rule IS
	'caller types of caller_profile(): the first rule (by priority) whose bounds all hold names the type; NULL bounds do not apply; rows with builtin = false are yours and are kept by pg_dump';
COMMENT ON COLUMN minqing.caller_type_rule.builtin IS
	'true for the rows shipped with minqing (re-created by CREATE EXTENSION, not dumped)';
INSERT INTO minqing.caller_type_rule (code, name_zh, name_en, priority, min_orders, max_orders,
	min_category_entropy, min_top_category_share, min_repeat_share, max_repeat_share,
	min_dissatisfied_share, min_night_share, max_night_share, min_distinct_places, max_distinct_places, note, builtin) VALUES
	('venting', '情感发泄', 'emotional venting', 10, 3, NULL, NULL, NULL, NULL, NULL, 0.5, 0.5, NULL, NULL, NULL,
	 'calls mostly at night and is mostly dissatisfied', true),
	('self_interest', '私利敏感', 'self-interest sensitive', 20, 3, NULL, NULL, 0.6, 0.5, NULL, NULL, NULL, NULL, NULL, 2,
	 'one private problem at one or two places, again and again', true),
	('civic', '公益热心', 'public-spirited', 30, 4, NULL, 1.5, NULL, NULL, 0.25, NULL, NULL, NULL, 3, NULL,
	 'many public problems at many places, rarely repeating', true),
	('wait_and_see', '暂时观望', 'wait and see', 40, NULL, 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 'one or two contacts, then waits', true);
SELECT pg_catalog.pg_extension_config_dump('minqing.caller_type_rule', 'WHERE NOT builtin');

CREATE FUNCTION minqing.caller_profile_trans(state bytea, created_at timestamptz, category_code text,
		geom geometry, satisfied boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'caller_profile_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.caller_profile_trans(bytea, timestamptz, text, geometry, boolean) IS
	'transition function of caller_profile(): appends the order (time, category hash, point, satisfied) to the portable state';
CREATE FUNCTION minqing.caller_profile_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'caller_profile_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.caller_profile_combine(bytea, bytea) IS
	'combine function of caller_profile(): concatenates the orders of two partial states';
-- stable: local hours and months depend on the session TimeZone; lon/lat SRIDs may be looked up
CREATE FUNCTION minqing.caller_profile_features(state bytea) RETURNS minqing.caller_profile_result
	AS 'MODULE_PATHNAME', 'caller_profile_features' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.caller_profile_features(bytea) IS
	'the features of a caller_profile() state, caller_type left NULL';

CREATE FUNCTION minqing.caller_type(profile minqing.caller_profile_result) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
	-- stable: reads minqing.caller_type_rule
	SELECT r.code FROM minqing.caller_type_rule r
	WHERE ($1).orders IS NOT NULL
	  AND (r.min_orders IS NULL OR ($1).orders >= r.min_orders)
	  AND (r.max_orders IS NULL OR ($1).orders <= r.max_orders)
	  AND (r.min_category_entropy IS NULL OR ($1).category_entropy >= r.min_category_entropy)
	  AND (r.min_top_category_share IS NULL OR ($1).top_category_share >= r.min_top_category_share)
	  AND (r.min_repeat_share IS NULL OR ($1).repeat_share >= r.min_repeat_share)
	  AND (r.max_repeat_share IS NULL OR ($1).repeat_share <= r.max_repeat_share)
	  AND (r.min_dissatisfied_share IS NULL OR ($1).dissatisfied_share >= r.min_dissatisfied_share)
	  AND (r.min_night_share IS NULL OR ($1).night_share >= r.min_night_share)
	  AND (r.max_night_share IS NULL OR ($1).night_share <= r.max_night_share)
	  AND (r.min_distinct_places IS NULL OR ($1).distinct_places >= r.min_distinct_places)
	  AND (r.max_distinct_places IS NULL OR ($1).distinct_places <= r.max_distinct_places)
	ORDER BY r.priority, r.code
	LIMIT 1
$body$;
COMMENT ON FUNCTION minqing.caller_type(minqing.caller_profile_result) IS
	'the caller type of a profile: the code of the first minqing.caller_type_rule (by priority) whose bounds all hold, NULL when none does';

CREATE FUNCTION minqing.caller_profile_final(state bytea) RETURNS minqing.caller_profile_result
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $body$
	-- stable: reads minqing.caller_type_rule and the session TimeZone
	SELECT f.orders, f.active_months, f.first_at, f.last_at, f.span_days, f.categories, f.category_entropy,
	       f.top_category_share, f.repeat_share, f.dissatisfied_share, f.night_share, f.distinct_places,
	       minqing.caller_type(f)
	FROM minqing.caller_profile_features($1) f
	WHERE f IS DISTINCT FROM NULL
$body$;
COMMENT ON FUNCTION minqing.caller_profile_final(bytea) IS
	'final function of caller_profile(): the features and the caller type';

CREATE AGGREGATE minqing.caller_profile(created_at timestamptz, category_code text, geom geometry, satisfied boolean) (
	SFUNC = minqing.caller_profile_trans, STYPE = bytea,
	COMBINEFUNC = minqing.caller_profile_combine, FINALFUNC = minqing.caller_profile_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.caller_profile(timestamptz, text, geometry, boolean) IS
	'profile of one pseudonymous caller''s orders (GROUP BY caller_id): activity, category entropy, repeat, dissatisfied and night shares, distinct places and the caller type of minqing.caller_type_rule (公益热心 / 暂时观望 / 私利敏感 / 情感发泄)';

CREATE FUNCTION minqing.caller_type_shares(orders regclass, period_start timestamptz, period_end timestamptz,
		level int DEFAULT 5, k int DEFAULT 10)
	RETURNS TABLE (unit_code text, callers bigint, caller_type text, type_callers bigint, share float8)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $body$
-- stable: reads tables and the session TimeZone
BEGIN
	IF orders IS NULL OR period_start IS NULL OR period_end IS NULL OR level IS NULL OR k IS NULL THEN
		RETURN;
	END IF;
	PERFORM minqing.admin_check_level(level);
	IF NOT (period_start < period_end) THEN
		RAISE EXCEPTION 'period_start must be before period_end'
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = pg_catalog.format('Got %s and %s.', period_start, period_end),
			      HINT = 'Pass a half-open period [period_start, period_end).';
	END IF;
	PERFORM minqing.index_check_columns(orders, ARRAY['created_at', 'category_code', 'unit_code', 'geom',
		'satisfied', 'caller_id'], 'orders');
	RETURN QUERY EXECUTE pg_catalog.format($q$
		WITH per_caller AS (   -- a caller belongs to the unit of most of their orders
			SELECT o.caller_id, minqing.caller_profile(o.created_at, o.category_code, o.geom, o.satisfied) AS prof,
			       mode() WITHIN GROUP (ORDER BY minqing.admin_ancestor(o.unit_code, $3)) AS u
			FROM %1$s o
			WHERE o.created_at >= $1 AND o.created_at < $2 AND o.caller_id IS NOT NULL
			GROUP BY o.caller_id),
		counts AS (
			SELECT c.u, COALESCE((c.prof).caller_type, 'unclassified') AS t, count(*) AS n
			FROM per_caller c WHERE c.u IS NOT NULL GROUP BY 1, 2),
		totals AS (SELECT c.u, sum(c.n)::bigint AS total FROM counts c GROUP BY c.u)
		SELECT c.u, minqing.suppress(t.total, $4), c.t, minqing.suppress(c.n, $4),
		       CASE WHEN minqing.suppress(c.n, $4) IS NULL OR minqing.suppress(t.total, $4) IS NULL THEN NULL
		            ELSE c.n::float8 / t.total END
		FROM counts c JOIN totals t ON t.u = c.u
		ORDER BY c.u, c.t$q$, orders)
	USING period_start, period_end, level, k;
END
$body$;
COMMENT ON FUNCTION minqing.caller_type_shares(regclass, timestamptz, timestamptz, int, int) IS
	'callers of each type per admin unit at a level (a caller counts in the unit of most of their orders in the period), counts and shares passed through suppress(n, k): cells under k callers are NULL';
