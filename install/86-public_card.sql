----------------------------------------------------------------------------
-- The public card 明白卡 (SPEC §13): the quarterly public summary of a unit
-- (a street or a community; districts and cities too) — the index band,
-- the three rates, the top concerns and what changed — in plain Chinese and
-- English sentences, as rows (public_card) and as one HTML page
-- (public_card_html).  Privacy is enforced here, not by the caller
-- (docs/public_card.md):
--   * periods are whole calendar quarters of China Standard Time
--     (Asia/Shanghai, fixed), so any two cards' periods are equal or
--     disjoint and no difference of two cards isolates a shorter period;
--   * every published count is >= k (else suppressed) and rounded to a
--     multiple of 5; everything derived (changes, shares per 10k) is
--     computed from the published values only;
--   * a rate is exact (whole percent) only when its numerator and its
--     complement are both >= k, a bound when one of them is under k, and
--     suppressed when its denominator is under k;
--   * no caller, no text, no point: the rows are built from per-unit and
--     per-category counts; the map draws admin polygons only.
----------------------------------------------------------------------------

CREATE TYPE minqing.public_card_row AS (
	section    text,
	position   int,
	item       text,
	label_zh   text,
	label_en   text,
	value      numeric,
	value_kind text,
	text_zh    text,
	text_en    text,
	suppressed boolean);
COMMENT ON TYPE minqing.public_card_row IS
	'public_card(): one line of the public card — section (card, index, orders, rates, concerns, changes, map, privacy), position within it, item code, Chinese and English label, the published value and its kind, a plain Chinese and English sentence, and whether the value is suppressed';

-- The one time zone of the card's quarters.  A constant, not an argument:
-- the same quarter cut in two zones gives two overlapping periods whose
-- difference (a few hours at each end) would escape the suppression.
CREATE FUNCTION minqing.public_card_zone() RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN 'Asia/Shanghai';
COMMENT ON FUNCTION minqing.public_card_zone() IS
	'the fixed time zone of public_card quarters: Asia/Shanghai (China Standard Time, UTC+8)';

-- A published count: NULL under k, else rounded to the nearest multiple of 5
-- (halves up).  Everything a card derives from a count starts from this.
CREATE FUNCTION minqing.public_card_count(n bigint, k int) RETURNS bigint
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE WHEN n >= k THEN 5 * ((n + 2) / 5) END;
COMMENT ON FUNCTION minqing.public_card_count(bigint, int) IS
	'a count as the public card publishes it: NULL when n < k, else n rounded to the nearest multiple of 5';

-- A published rate x/n: kind 'percent' (whole percent) when x >= k and
-- n − x >= k; 'percent_at_least' when n − x < k, 'percent_at_most' when
-- x < k — bounds computed from the published (rounded) n, so they reveal
-- only that one part is under k; NULL (suppressed) when n < k or both parts
-- are under k, or when the bound would say nothing (at least 0%, at most 100%).
CREATE FUNCTION minqing.public_card_rate(x bigint, n bigint, k int, OUT value numeric, OUT value_kind text)
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
	-- a bound that says nothing (at least 0%, at most 100%: a small rounded n)
	-- is no bound: the rate is suppressed
	SELECT CASE WHEN b.kind = 'percent_at_least' AND b.v <= 0 OR b.kind = 'percent_at_most' AND b.v >= 100 THEN NULL
	            ELSE b.v END,
	       CASE WHEN b.kind = 'percent_at_least' AND b.v <= 0 OR b.kind = 'percent_at_most' AND b.v >= 100 THEN NULL
	            ELSE b.kind END
	FROM (SELECT CASE WHEN n < k OR (x < k AND n - x < k) THEN NULL
	                  WHEN x >= k AND n - x >= k THEN round(100.0 * x / n)
	                  WHEN n - x < k THEN floor(100.0 * (1 - (k - 1)::numeric / (minqing.public_card_count(n, k) - 2)))
	                  ELSE ceil(100.0 * (k - 1)::numeric / (minqing.public_card_count(n, k) - 2)) END AS v,
	             CASE WHEN n < k OR (x < k AND n - x < k) THEN NULL
	                  WHEN x >= k AND n - x >= k THEN 'percent'
	                  WHEN n - x < k THEN 'percent_at_least'
	                  ELSE 'percent_at_most' END AS kind) b
$$;
COMMENT ON FUNCTION minqing.public_card_rate(bigint, bigint, int) IS
	'a rate x/n as the public card publishes it: whole percent when x and n − x are both >= k, a bound (at least / at most, from the rounded n) when one is under k, NULL when n < k, both are under k or the bound would be empty';

-- The five index bands of the card (and their map colours), by score.
CREATE FUNCTION minqing.public_card_band(score float8) RETURNS int
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE WHEN score >= 70 THEN 5 WHEN score >= 55 THEN 4 WHEN score >= 45 THEN 3
	            WHEN score >= 30 THEN 2 ELSE 1 END;
COMMENT ON FUNCTION minqing.public_card_band(float8) IS
	'index band of a sentiment_index score: 5 good (>= 70), 4 fairly good (55–70), 3 average (45–55), 2 fairly poor (30–45), 1 poor (< 30)';

-- One line of a card, typed (so literals and NULLs need no casts).
CREATE FUNCTION minqing.public_card_line(section text, "position" int, item text, label_zh text, label_en text,
                                         value numeric, value_kind text, text_zh text, text_en text,
                                         suppressed boolean)
	RETURNS minqing.public_card_row
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN ROW(section, "position", item, label_zh, label_en, value, value_kind, text_zh, text_en, suppressed)::minqing.public_card_row;
COMMENT ON FUNCTION minqing.public_card_line(text, int, text, text, text, numeric, text, text, text, boolean) IS
	'internal: one public_card_row from its fields';

CREATE FUNCTION minqing.public_card(orders regclass, unit_code text, period_start timestamptz,
                                    period_end timestamptz, units regclass DEFAULT 'minqing.admin_unit',
                                    k int DEFAULT 10)
	RETURNS SETOF minqing.public_card_row
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED  -- stable: reads now() and the tables
	SET search_path = pg_catalog, pg_temp
	SET jit = off  -- compiling would cost seconds, the queries run in milliseconds
AS $$
DECLARE
	zone constant text := minqing.public_card_zone();
	v_unit text := unit_code;
	v_units regclass := units;
	v_k int := k;
	lv int;
	u_name text;
	u_pop float8;
	ls timestamp;
	q_no int;
	prev_start timestamptz;
	noun_zh text;
	noun_en text;
	nouns_en text;
	title_zh text;
	title_en text;
	cur minqing.index_component[];
	prev minqing.index_component[];
	e_cur minqing.index_estimate[];
	e_prev minqing.index_estimate[];
	c_cur minqing.index_component;
	c_prev minqing.index_component;
	score_cur float8;
	score_prev float8;
	rk int;
	nranked int;
	p_cur bigint;
	p_prev bigint;
	r record;
	pos int;
	has_sub boolean;
	known boolean;
BEGIN
	IF orders IS NULL OR unit_code IS NULL OR period_start IS NULL OR period_end IS NULL OR units IS NULL
	   OR k IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
			MESSAGE = 'public_card: arguments must not be NULL',
			HINT = 'Pass the orders, a unit code, one calendar quarter, the units table and k.';
	END IF;
	IF k < 5 OR k > 1000 THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('public_card: k must be between 5 and 1000, got %s', k),
			DETAIL = 'k is the smallest count the card publishes; smaller counts are suppressed.',
			HINT = 'Keep the default 10 unless your disclosure rules ask for more.';
	END IF;
	PERFORM minqing.index_check_columns(units, ARRAY['code', 'name', 'level', 'parent_code', 'population'], 'units');
	lv := minqing.admin_level(unit_code);
	IF lv = 6 THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('public_card: %s is a grid; the public card is for a community, street or larger unit', unit_code),
			DETAIL = 'A grid is a few hundred households; its counts are too small and its callers too easy to guess.',
			HINT = format('Publish the card of its community %s: its map shows the grids by index band.',
			              minqing.admin_ancestor(unit_code, 5));
	END IF;
	EXECUTE format('SELECT true, u.name::text, u.population::float8 FROM %s u WHERE u.code = $1', units)
		INTO known, u_name, u_pop USING unit_code;
	IF known IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('public_card: unknown unit %s', unit_code),
			DETAIL = format('There is no row with code %s in %s.', unit_code, units),
			HINT = 'Pass the 12-digit code of a unit of the units table (a street or a community).';
	END IF;
	IF NOT isfinite(period_start) OR NOT isfinite(period_end) OR period_end <= period_start THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = 'public_card: the period must have a positive, finite length',
			DETAIL = format('Got period_start %s and period_end %s.', period_start, period_end),
			HINT = 'Pass one calendar quarter: period_end is exclusive.';
	END IF;
	ls := period_start AT TIME ZONE zone;
	IF ls <> date_trunc('quarter', ls) OR period_end AT TIME ZONE zone <> ls + interval '3 months' THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('public_card: the period must be one calendar quarter in %s', zone),
			DETAIL = format('Got [%s, %s), i.e. [%s, %s) in %s.', period_start, period_end, ls,
			                period_end AT TIME ZONE zone, zone),
			HINT = format('Pass e.g. period_start => ''%s'', period_end => ''%s''. Cards of other periods would overlap the quarters'' cards and their differences would reveal suppressed counts.',
			              to_char(date_trunc('quarter', ls), 'YYYY-MM-DD "00:00+08"'),
			              to_char(date_trunc('quarter', ls) + interval '3 months', 'YYYY-MM-DD "00:00+08"'));
	END IF;
	IF period_end > now() THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('public_card: the quarter ending %s has not ended yet', period_end),
			DETAIL = 'A card of an unfinished quarter and the final card of the same quarter would differ by the orders in between.',
			HINT = 'Publish a quarter once, after it has ended and its orders are loaded.';
	END IF;
	prev_start := (ls - interval '3 months') AT TIME ZONE zone;
	q_no := extract(quarter FROM ls)::int;
	noun_zh := (ARRAY['省', '市', '区', '街道', '社区'])[lv];
	noun_en := (ARRAY['province', 'city', 'district', 'street', 'community'])[lv];
	nouns_en := (ARRAY['provinces', 'cities', 'districts', 'streets', 'communities'])[lv];
	title_zh := format('%s %s年第%s季度民情明白卡', u_name, extract(year FROM ls), q_no);
	title_en := format('Public card of %s, %s Q%s (%s to %s)', u_name, extract(year FROM ls), q_no,
	                   to_char(ls, 'FMMonth'), to_char(ls + interval '2 months', 'FMMonth YYYY'));

	-- every unit of the level in both quarters (index and totals, one scan)
	SELECT coalesce(array_agg(x.comp ORDER BY (x.comp).unit_code) FILTER (WHERE x.period = 1), '{}'),
	       coalesce(array_agg(x.comp ORDER BY (x.comp).unit_code) FILTER (WHERE x.period = 2), '{}')
	INTO cur, prev
	FROM minqing.index_components_periods(orders, lv, ARRAY[period_start, prev_start],
	                                      ARRAY[period_end, period_start], NULL, v_units) x;
	SELECT * INTO c_cur FROM unnest(cur) c WHERE c.unit_code = v_unit;
	SELECT * INTO c_prev FROM unnest(prev) c WHERE c.unit_code = v_unit;
	IF (SELECT sum(c.orders) FROM minqing.index_populated(cur) c) > 0 THEN
		e_cur := ARRAY(SELECT e FROM minqing.index_estimates(cur) e);
		SELECT s.score, s.rk, s.n INTO score_cur, rk, nranked
		FROM (SELECT x.unit_code, x.score, rank() OVER (ORDER BY x.score DESC)::int AS rk, count(*) OVER ()::int AS n
		      FROM minqing.index_scores(e_cur, e_cur, 'default') x WHERE x.score IS NOT NULL) s
		WHERE s.unit_code = v_unit;
		IF (SELECT sum(c.orders) FROM minqing.index_populated(prev) c) > 0 THEN
			e_prev := ARRAY(SELECT e FROM minqing.index_estimates(prev) e);
			SELECT x.score INTO score_prev FROM minqing.index_scores(e_prev, e_cur, 'default') x
			WHERE x.unit_code = v_unit;
		END IF;
	END IF;
	p_cur := minqing.public_card_count(coalesce(c_cur.orders, 0), k);
	p_prev := minqing.public_card_count(coalesce(c_prev.orders, 0), k);

	-- card: title, period, and the notice of a unit below the threshold
	RETURN NEXT minqing.public_card_line('card', 1, 'title', u_name, u_name, NULL, NULL, title_zh, title_en, false);
	RETURN NEXT minqing.public_card_line('card', 2, 'period', '统计期', 'Period', NULL, NULL,
		format('%s至%s（北京时间）', to_char(ls, 'YYYY"年"FMMM"月"FMDD"日"'),
		       to_char(ls + interval '3 months' - interval '1 day', 'YYYY"年"FMMM"月"FMDD"日"')),
		format('%s to %s (China Standard Time)', to_char(ls, 'FMDD FMMonth YYYY'),
		       to_char(ls + interval '3 months' - interval '1 day', 'FMDD FMMonth YYYY')), false);
	IF p_cur IS NULL THEN
		RETURN NEXT minqing.public_card_line('card', 3, 'notice', '提示', 'Notice', NULL, NULL,
			format('本季度本%s的热线工单少于%s件。为保护来电群众的隐私，本卡不公布任何数字。', noun_zh, k),
			format('This %s had fewer than %s hotline orders this quarter. To protect the people who called, this card shows no numbers.',
			       noun_en, k), true);
	END IF;

	-- index: score, band, rank, change
	IF p_cur IS NULL OR score_cur IS NULL THEN
		RETURN NEXT minqing.public_card_line('index', 1, 'score', '民情指数', 'Public-sentiment index', NULL, 'score', 
			CASE WHEN p_cur IS NULL THEN format('工单太少（少于%s件），不计算指数。', k)
			     ELSE '没有人口数据，不计算指数。' END,
			CASE WHEN p_cur IS NULL THEN format('Too few orders (fewer than %s) to compute the index.', k)
			     ELSE 'No population figure, so no index.' END, true);
	ELSE
		RETURN NEXT minqing.public_card_line('index', 1, 'score', '民情指数', 'Public-sentiment index', round(score_cur::numeric), 'score',
			format('民情指数 %s 分（满分100分，50分为全市%s的中间水平，越高越好）。', round(score_cur::numeric), noun_zh),
			format('Index %s out of 100 (50 is the middle %s of the city; higher is better).',
			       round(score_cur::numeric), noun_en), false);
		RETURN NEXT minqing.public_card_line('index', 2, 'band', '等级', 'Band', minqing.public_card_band(score_cur), 'band',
			format('等级：%s。', (ARRAY['差', '较差', '中等', '较好', '好'])[minqing.public_card_band(score_cur)]),
			format('Band: %s.', (ARRAY['poor', 'fairly poor', 'average', 'fairly good', 'good'])[minqing.public_card_band(score_cur)]),
			false);
		RETURN NEXT minqing.public_card_line('index', 3, 'rank', '排名', 'Rank', rk, 'rank',
			format('在全市 %s 个%s中排第 %s 位（%s）。', nranked, noun_zh, rk,
			       CASE WHEN rk <= ceil(nranked / 3.0) THEN '处于前三分之一'
			            WHEN rk > nranked - ceil(nranked / 3.0) THEN '处于后三分之一' ELSE '处于中间三分之一' END),
			format('%s of the city''s %s %s (%s).', to_char(rk, 'FM999th'), nranked, nouns_en,
			       CASE WHEN rk <= ceil(nranked / 3.0) THEN 'in the best third'
			            WHEN rk > nranked - ceil(nranked / 3.0) THEN 'in the worst third' ELSE 'in the middle third' END),
			false);
		IF p_prev IS NOT NULL AND score_prev IS NOT NULL THEN
			RETURN NEXT minqing.public_card_line('index', 4, 'change', '与上季度相比', 'Since last quarter',
				round(score_cur::numeric) - round(score_prev::numeric), 'points',
				CASE WHEN round(score_cur::numeric) > round(score_prev::numeric)
				     THEN format('比上季度提高 %s 分。', round(score_cur::numeric) - round(score_prev::numeric))
				     WHEN round(score_cur::numeric) < round(score_prev::numeric)
				     THEN format('比上季度下降 %s 分。', round(score_prev::numeric) - round(score_cur::numeric))
				     ELSE '与上季度持平。' END,
				CASE WHEN round(score_cur::numeric) > round(score_prev::numeric)
				     THEN format('Up %s point%s since last quarter.', round(score_cur::numeric) - round(score_prev::numeric),
				                 CASE WHEN round(score_cur::numeric) - round(score_prev::numeric) = 1 THEN '' ELSE 's' END)
				     WHEN round(score_cur::numeric) < round(score_prev::numeric)
				     THEN format('Down %s point%s since last quarter.', round(score_prev::numeric) - round(score_cur::numeric),
				                 CASE WHEN round(score_prev::numeric) - round(score_cur::numeric) = 1 THEN '' ELSE 's' END)
				     ELSE 'The same as last quarter.' END, false);
		ELSE
			RETURN NEXT minqing.public_card_line('index', 4, 'change', '与上季度相比', 'Since last quarter', NULL, 'points',
				format('上季度工单太少（少于%s件），无法比较。', k),
				format('Too few orders last quarter (fewer than %s) to compare.', k), true);
		END IF;
	END IF;

	-- orders: how many, per 10,000 residents, change (from published values)
	RETURN NEXT minqing.public_card_line('orders', 1, 'orders', '热线工单', 'Hotline orders', p_cur, 'count_rounded_5',
		CASE WHEN p_cur IS NULL THEN format('本季度少于 %s 件。', k)
		     ELSE format('本季度约 %s 件。', to_char(p_cur, 'FM999,999,999,990')) END,
		CASE WHEN p_cur IS NULL THEN format('Fewer than %s this quarter.', k)
		     ELSE format('About %s this quarter.', to_char(p_cur, 'FM999,999,999,990')) END,
		p_cur IS NULL);
	IF p_cur IS NOT NULL AND u_pop > 0 AND u_pop < 'Infinity' THEN
		RETURN NEXT minqing.public_card_line('orders', 2, 'per_10k', '每万居民', 'Per 10,000 residents', round(1e4 * p_cur / u_pop::numeric, 1),
			'per_10k', format('每万名居民约 %s 件。', round(1e4 * p_cur / u_pop::numeric, 1)),
			format('About %s per 10,000 residents.', round(1e4 * p_cur / u_pop::numeric, 1)), false);
	END IF;
	IF p_cur IS NOT NULL THEN
		RETURN NEXT minqing.public_card_line('orders', 3, 'change', '与上季度相比', 'Since last quarter',
			CASE WHEN p_prev IS NOT NULL THEN p_cur - p_prev END, 'count_rounded_5',
			CASE WHEN p_prev IS NULL THEN format('上季度少于 %s 件。', k)
			     WHEN p_cur > p_prev THEN format('比上季度（约 %s 件）增加约 %s 件（%s%%）。', to_char(p_prev, 'FM999,999,990'),
			                                     to_char(p_cur - p_prev, 'FM999,999,990'), to_char(round(100.0 * (p_cur - p_prev) / p_prev), 'FMS9990'))
			     WHEN p_cur < p_prev THEN format('比上季度（约 %s 件）减少约 %s 件（%s%%）。', to_char(p_prev, 'FM999,999,990'),
			                                     to_char(p_prev - p_cur, 'FM999,999,990'), to_char(round(100.0 * (p_cur - p_prev) / p_prev), 'FMS9990'))
			     ELSE '与上季度大致相同。' END,
			CASE WHEN p_prev IS NULL THEN format('Fewer than %s last quarter.', k)
			     WHEN p_cur > p_prev THEN format('About %s more than last quarter (about %s), %s%%.', to_char(p_cur - p_prev, 'FM999,999,990'),
			                                     to_char(p_prev, 'FM999,999,990'), to_char(round(100.0 * (p_cur - p_prev) / p_prev), 'FMS9990'))
			     WHEN p_cur < p_prev THEN format('About %s fewer than last quarter (about %s), %s%%.', to_char(p_prev - p_cur, 'FM999,999,990'),
			                                     to_char(p_prev, 'FM999,999,990'), to_char(round(100.0 * (p_cur - p_prev) / p_prev), 'FMS9990'))
			     ELSE 'About the same as last quarter.' END,
			p_prev IS NULL);
	END IF;

	-- rates: response, resolution, satisfaction
	FOR r IN
		SELECT t.i, t.item, t.zh, t.en, t.what_zh, t.what_en, t.yes_zh, t.no_zh, t.yes_en, t.no_en,
		       rc.value, rc.value_kind, rp.value AS pv, rp.value_kind AS pk
		FROM (VALUES (1, 'response_rate', '响应率', 'Response rate', '工单得到了部门的响应', 'orders the offices responded to',
		              '得到响应的工单', '未得到响应的工单', 'orders were responded to', 'orders were not responded to',
		              c_cur.responded_k, c_cur.responded_n, c_prev.responded_k, c_prev.responded_n),
		             (2, 'resolution_rate', '解决率', 'Resolution rate', '工单反映的问题得到了解决', 'orders whose problem was solved',
		              '问题得到解决的工单', '问题未解决的工单', 'orders were solved', 'orders were not solved',
		              c_cur.resolved_k, c_cur.resolved_n, c_prev.resolved_k, c_prev.resolved_n),
		             (3, 'satisfaction_rate', '满意率', 'Satisfaction rate', '回访时来电群众表示满意', 'callers who said they were satisfied when asked',
		              '表示满意的', '表示不满意的', 'callers were satisfied', 'callers were not satisfied',
		              c_cur.satisfied_k, c_cur.satisfied_n, c_prev.satisfied_k, c_prev.satisfied_n))
		     AS t(i, item, zh, en, what_zh, what_en, yes_zh, no_zh, yes_en, no_en, xk, xn, pk, pn)
		CROSS JOIN LATERAL minqing.public_card_rate(coalesce(t.xk, 0), coalesce(t.xn, 0), v_k) rc
		CROSS JOIN LATERAL minqing.public_card_rate(coalesce(t.pk, 0), coalesce(t.pn, 0), v_k) rp
		ORDER BY t.i
	LOOP
		RETURN NEXT minqing.public_card_line('rates', r.i, r.item, r.zh, r.en, r.value, r.value_kind,
			CASE r.value_kind
			     WHEN 'percent' THEN format('%s%%：%s。', r.value, r.what_zh)
			     WHEN 'percent_at_least' THEN format('至少 %s%%：%s少于%s件，因此不公布确切比例。', r.value, r.no_zh, v_k)
			     WHEN 'percent_at_most' THEN format('至多 %s%%：%s少于%s件，因此不公布确切比例。', r.value, r.yes_zh, v_k)
			     ELSE format('数量太少（少于%s件），不公布。', v_k) END
			|| CASE WHEN r.value_kind = 'percent' AND r.pk = 'percent' THEN
			        CASE WHEN r.value > r.pv THEN format('比上季度提高 %s 个百分点。', r.value - r.pv)
			             WHEN r.value < r.pv THEN format('比上季度下降 %s 个百分点。', r.pv - r.value)
			             ELSE '与上季度持平。' END ELSE '' END,
			CASE r.value_kind
			     WHEN 'percent' THEN format('%s%% of %s.', r.value, r.what_en)
			     WHEN 'percent_at_least' THEN format('At least %s%%: fewer than %s %s, so the exact share is not shown.', r.value, v_k, r.no_en)
			     WHEN 'percent_at_most' THEN format('At most %s%%: fewer than %s %s, so the exact share is not shown.', r.value, v_k, r.yes_en)
			     ELSE format('Too few (fewer than %s) to show.', v_k) END
			|| CASE WHEN r.value_kind = 'percent' AND r.pk = 'percent' THEN
			        CASE WHEN r.value > r.pv THEN format(' Up %s percentage point%s since last quarter.', r.value - r.pv, CASE WHEN r.value - r.pv = 1 THEN '' ELSE 's' END)
			             WHEN r.value < r.pv THEN format(' Down %s percentage point%s since last quarter.', r.pv - r.value, CASE WHEN r.pv - r.value = 1 THEN '' ELSE 's' END)
			             ELSE ' The same as last quarter.' END ELSE '' END,
			r.value_kind IS NULL);
	END LOOP;

	-- concerns (top five published categories) and what changed, from
	-- published per-category counts of the two quarters only
	pos := 0;
	FOR r IN
		WITH s AS (
			SELECT x.category_code AS cat, sum(x.orders) FILTER (WHERE st.period = 1) AS n_cur,
			       sum(x.orders) FILTER (WHERE st.period = 2) AS n_prev
			FROM minqing.index_states(orders, lv, ARRAY[period_start, prev_start], ARRAY[period_end, period_start]) st
			CROSS JOIN LATERAL minqing.index_state_counts(st.state) x
			WHERE st.unit_code = v_unit
			GROUP BY 1),
		p AS (
			SELECT s.cat, minqing.public_card_count(coalesce(s.n_cur, 0)::bigint, v_k) AS pc,
			       minqing.public_card_count(coalesce(s.n_prev, 0)::bigint, v_k) AS pp
			FROM s)
		SELECT p.cat, p.pc, p.pp,
		       coalesce(minqing.label(p.cat, 'zh'), p.cat) AS zh, coalesce(minqing.label(p.cat, 'en'), p.cat) AS en,
		       row_number() OVER (ORDER BY p.pc DESC NULLS LAST, p.cat) AS top
		FROM p WHERE p.pc IS NOT NULL OR p.pp IS NOT NULL
		ORDER BY p.pc DESC NULLS LAST, p.cat
	LOOP
		IF r.pc IS NOT NULL AND r.top <= 5 THEN
			pos := pos + 1;
			RETURN NEXT minqing.public_card_line('concerns', r.top::int, r.cat, r.zh, r.en, r.pc, 'count_rounded_5',
				format('%s：约 %s 件，', r.zh, to_char(r.pc, 'FM999,999,990'))
				|| CASE WHEN r.pp IS NULL THEN format('上季度少于%s件。', v_k)
				        WHEN r.pc - r.pp >= 10 AND r.pc >= 1.2 * r.pp THEN format('比上季度（约 %s 件）明显增多。', r.pp)
				        WHEN r.pp - r.pc >= 10 AND r.pc <= 0.8 * r.pp THEN format('比上季度（约 %s 件）明显减少。', r.pp)
				        ELSE format('与上季度（约 %s 件）相近。', r.pp) END,
				format('%s: about %s orders, ', r.en, to_char(r.pc, 'FM999,999,990'))
				|| CASE WHEN r.pp IS NULL THEN format('up from fewer than %s last quarter.', v_k)
				        WHEN r.pc - r.pp >= 10 AND r.pc >= 1.2 * r.pp THEN format('clearly more than last quarter (about %s).', r.pp)
				        WHEN r.pp - r.pc >= 10 AND r.pc <= 0.8 * r.pp THEN format('clearly fewer than last quarter (about %s).', r.pp)
				        ELSE format('about as many as last quarter (about %s).', r.pp) END,
				false);
		END IF;
	END LOOP;
	IF pos = 0 AND p_cur IS NOT NULL THEN
		RETURN NEXT minqing.public_card_line('concerns', 1, 'none', '最关心的问题', 'Top concerns', NULL, NULL,
			format('没有哪一类诉求达到%s件。', v_k), format('No single kind of concern reached %s orders.', v_k), true);
	END IF;
	pos := 0;
	FOR r IN
		WITH s AS (
			SELECT x.category_code AS cat, sum(x.orders) FILTER (WHERE st.period = 1) AS n_cur,
			       sum(x.orders) FILTER (WHERE st.period = 2) AS n_prev
			FROM minqing.index_states(orders, lv, ARRAY[period_start, prev_start], ARRAY[period_end, period_start]) st
			CROSS JOIN LATERAL minqing.index_state_counts(st.state) x
			WHERE st.unit_code = v_unit
			GROUP BY 1),
		p AS (
			SELECT s.cat, minqing.public_card_count(coalesce(s.n_cur, 0)::bigint, v_k) AS pc,
			       minqing.public_card_count(coalesce(s.n_prev, 0)::bigint, v_k) AS pp
			FROM s),
		-- the smallest change the published values prove (an unpublished
		-- count is taken as k − 1, its largest possible value)
		d AS (
			SELECT p.*, coalesce(p.pc, v_k - 1) - coalesce(p.pp, v_k - 1) AS diff
			FROM p WHERE p.pc IS NOT NULL OR p.pp IS NOT NULL),
		ch AS (
			SELECT d.*, coalesce(minqing.label(d.cat, 'zh'), d.cat) AS zh, coalesce(minqing.label(d.cat, 'en'), d.cat) AS en,
			       CASE WHEN d.diff >= 10 AND (d.pp IS NULL OR d.pc >= 1.2 * d.pp) THEN 'up'
			            WHEN d.diff <= -10 AND (d.pc IS NULL OR d.pc <= 0.8 * d.pp) THEN 'down' END AS dir
			FROM d)
		SELECT ch.*, row_number() OVER (PARTITION BY ch.dir ORDER BY abs(ch.diff) DESC, ch.cat) AS o
		FROM ch WHERE ch.dir IS NOT NULL
		ORDER BY ch.dir DESC, abs(ch.diff) DESC, ch.cat
	LOOP
		IF r.o <= 3 AND p_cur IS NOT NULL THEN
			pos := pos + 1;
			RETURN NEXT minqing.public_card_line('changes', pos, r.cat, r.zh, r.en, CASE WHEN r.pc IS NOT NULL AND r.pp IS NOT NULL THEN r.pc - r.pp END,
				'count_rounded_5',
				CASE WHEN r.dir = 'up' AND r.pp IS NULL THEN format('%s 增多：从少于%s件增加到约 %s 件。', r.zh, v_k, r.pc)
				     WHEN r.dir = 'up' THEN format('%s 增多：从约 %s 件增加到约 %s 件。', r.zh, r.pp, r.pc)
				     WHEN r.pc IS NULL THEN format('%s 减少：从约 %s 件减少到少于%s件。', r.zh, r.pp, v_k)
				     ELSE format('%s 减少：从约 %s 件减少到约 %s 件。', r.zh, r.pp, r.pc) END,
				CASE WHEN r.dir = 'up' AND r.pp IS NULL THEN format('%s rose from fewer than %s to about %s.', r.en, v_k, r.pc)
				     WHEN r.dir = 'up' THEN format('%s rose from about %s to about %s.', r.en, r.pp, r.pc)
				     WHEN r.pc IS NULL THEN format('%s fell from about %s to fewer than %s.', r.en, r.pp, v_k)
				     ELSE format('%s fell from about %s to about %s.', r.en, r.pp, r.pc) END,
				r.pc IS NULL OR r.pp IS NULL);
		END IF;
	END LOOP;
	IF pos = 0 AND p_cur IS NOT NULL THEN
		RETURN NEXT minqing.public_card_line('changes', 1, 'none', '变化', 'Changes', NULL, NULL,
			'各类诉求与上季度相比没有明显变化。', 'No kind of concern changed clearly since last quarter.', false);
	END IF;

	-- map: the sub-units by index band; grey (suppressed) under k orders
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s u WHERE u.level = $1 AND u.parent_code = $2)', units)
		INTO has_sub USING lv + 1, unit_code;
	IF has_sub THEN
		SELECT coalesce(array_agg(x.comp ORDER BY (x.comp).unit_code), '{}') INTO cur
		FROM minqing.index_components_periods(orders, lv + 1, ARRAY[period_start], ARRAY[period_end], NULL, v_units) x;
		e_cur := CASE WHEN (SELECT sum(c.orders) FROM minqing.index_populated(cur) c) > 0
		              THEN ARRAY(SELECT e FROM minqing.index_estimates(cur) e) END;
		RETURN QUERY
		SELECT 'map', (row_number() OVER (ORDER BY c.unit_code))::int, c.unit_code, c.unit_name, c.unit_name,
		       b.band::numeric, 'band',
		       CASE WHEN b.band IS NULL THEN format('%s：工单太少，不显示。', c.unit_name)
		            ELSE format('%s：%s。', c.unit_name, (ARRAY['差', '较差', '中等', '较好', '好'])[b.band]) END,
		       CASE WHEN b.band IS NULL THEN format('%s: too few orders to show.', c.unit_name)
		            ELSE format('%s: %s.', c.unit_name, (ARRAY['poor', 'fairly poor', 'average', 'fairly good', 'good'])[b.band]) END,
		       b.band IS NULL
		FROM unnest(cur) c
		LEFT JOIN minqing.index_scores(e_cur, e_cur, 'default') s ON s.unit_code = c.unit_code
		CROSS JOIN LATERAL (SELECT CASE WHEN c.orders >= v_k AND s.score IS NOT NULL
		                                THEN minqing.public_card_band(s.score) END AS band) b
		WHERE c.parent_code = v_unit
		ORDER BY c.unit_code;
	END IF;

	-- privacy: what the card does to protect people
	RETURN NEXT minqing.public_card_line('privacy', 1, 'rule', '隐私保护', 'Privacy', v_k, 'threshold',
		format('少于%s件的数字一律不公布；公布的件数取整到5的倍数，比例取整到百分之一；本卡不含来电人、诉求内容和具体位置，地图只画辖区边界。', v_k),
		format('Numbers under %s are never shown; counts are rounded to a multiple of 5 and shares to a whole percent; the card holds no callers, no complaint text and no addresses, and the map draws only area boundaries.', v_k),
		false);
END
$$;
COMMENT ON FUNCTION minqing.public_card(regclass, text, timestamptz, timestamptz, regclass, int) IS
	'public card 明白卡 of a unit (community, street or larger) for one calendar quarter (Asia/Shanghai): index score, band and rank, orders, the three rates, top concerns and what changed since the previous quarter, the sub-units'' bands, in plain Chinese and English; counts under k suppressed, counts rounded to 5, rates exact only when both parts are >= k';

-- The card as one self-contained, printable HTML page: no script, no
-- external reference, the map an inline SVG of the sub-units' admin
-- polygons (from units.geom) coloured by index band, grey under k orders.
CREATE FUNCTION minqing.public_card_html(orders regclass, unit_code text, period_start timestamptz,
                                         period_end timestamptz, units regclass DEFAULT 'minqing.admin_unit',
                                         k int DEFAULT 10)
	RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
	SET jit = off
AS $$
DECLARE
	c minqing.public_card_row[];
	colours constant text[] := ARRAY['#d73027', '#fc8d59', '#fee08b', '#91cf60', '#1a9850'];
	grey constant text := '#c8c8c8';
	has_geom boolean;
	svg text := '';
	band int;
	body text;
	sect text;
	h text;
	-- the card's own look, after html_page's shared styles
	css constant text := 'body{max-width:none;padding:0;background:#f4f4f1}'
		'main{max-width:760px;margin:0 auto;background:#fff;padding:0 0 16px}'
		'header{background:#17324d;color:#fff;padding:18px 28px 14px}'
		'header h1{margin:0;font-size:26px;color:#fff}header p{margin:4px 0 0}header .en{color:#cfd8e3}'
		'section{padding:6px 28px;border-bottom:1px solid #e4e4e0}'
		'h2 span{color:#666;font-weight:normal}.en{font-size:0.9em;color:#666}p{margin:4px 0}'
		'.score{display:inline-block;min-width:64px;text-align:center;font-size:34px;font-weight:bold;padding:4px 10px;border-radius:6px;margin-right:14px}'
		'.notice{background:#fff4d6;border-left:6px solid #e6a700;padding:10px 28px}'
		'td{border:none;border-top:1px solid #eee;padding:4px 6px}td.v{font-size:20px;font-weight:bold;white-space:nowrap;width:90px}'
		'.muted{color:#999}'
		'.legend span.sw{display:inline-block;width:14px;height:14px;vertical-align:middle;margin:0 4px 0 10px;border:1px solid #999}'
		'ol.areas{columns:2;font-size:13px;padding-left:22px}'
		'footer{padding:10px 28px;font-size:13px;color:#555;border-top:none}'
		'@media print{body{background:#fff}main{max-width:none}section{break-inside:avoid}}';
BEGIN
	c := ARRAY(SELECT x FROM minqing.public_card(orders, unit_code, period_start, period_end, units, k) x);
	band := (SELECT x.value::int FROM unnest(c) x WHERE x.section = 'index' AND x.item = 'band');

	-- the map: sub-unit polygons scaled into a 480 x 360 box (equirectangular
	-- at the unit's latitude; ST_AsSVG writes y downwards), numbered
	SELECT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = units AND a.attname = 'geom'
	                                              AND a.attnum > 0 AND NOT a.attisdropped)
	INTO has_geom;
	IF has_geom AND EXISTS (SELECT 1 FROM unnest(c) x WHERE x.section = 'map') THEN
		EXECUTE format($q$
			WITH m AS (SELECT x.position, x.item, x.value::int AS band, x.label_zh FROM unnest($1) x WHERE x.section = 'map'),
			g AS (SELECT m.*, ST_Force2D(u.geom::geometry) AS geom FROM m JOIN %s u ON u.code::text = m.item
			      WHERE u.geom IS NOT NULL AND NOT ST_IsEmpty(u.geom::geometry)),
			b AS (SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1,
			             cos(radians((ST_YMin(e) + ST_YMax(e)) / 2)) AS cx
			      FROM (SELECT ST_Extent(g.geom)::geometry AS e FROM g) e0 WHERE e IS NOT NULL),
			s AS (SELECT b.*, least(460 / nullif((b.x1 - b.x0) * b.cx, 0), 340 / nullif(b.y1 - b.y0, 0)) AS sc FROM b),
			t AS (SELECT g.*, ST_Affine(g.geom, s.sc * s.cx, 0, 0, s.sc, 10 - s.sc * s.cx * s.x0, 10 - s.sc * s.y0) AS pg,
			             s.sc * s.cx * (s.x1 - s.x0) + 20 AS w, s.sc * (s.y1 - s.y0) + 20 AS hgt
			      FROM g CROSS JOIN s WHERE s.sc IS NOT NULL)
			SELECT format('<svg class="map" viewBox="0 %%s %%s %%s" width="%%s" height="%%s" role="img" aria-label="%%s">',
			              -round(max(t.hgt)::numeric, 1), round(max(t.w)::numeric, 1), round(max(t.hgt)::numeric, 1),
			              round(max(t.w)::numeric), round(max(t.hgt)::numeric), '各片区民情指数等级 Index band of each area')
			       || string_agg(format('<path d="%%s" fill="%%s" stroke="#ffffff" stroke-width="1.5"><title>%%s</title></path>',
			                            ST_AsSVG(t.pg, 0, 1), coalesce($2[t.band], $3), minqing.html_escape(t.label_zh)), '' ORDER BY t.position)
			       || string_agg(format('<text x="%%s" y="%%s" text-anchor="middle" dominant-baseline="middle" font-size="13" fill="#222">%%s</text>',
			                            round(ST_X(ST_PointOnSurface(t.pg))::numeric, 1), -round(ST_Y(ST_PointOnSurface(t.pg))::numeric, 1),
			                            t.position), '' ORDER BY t.position)
			       || '</svg>'
			FROM t$q$, units)
		INTO svg USING c, colours, grey;
	END IF;

	h := '<main>' || (SELECT format('<header><h1>%s</h1><p>%s</p><p class="en">%s</p></header>',
	                         minqing.html_escape(t.text_zh), minqing.html_escape(t.text_en),
	                         minqing.html_escape(p.text_zh || ' · ' || p.text_en))
	           FROM unnest(c) t, unnest(c) p
	           WHERE t.section = 'card' AND t.item = 'title' AND p.section = 'card' AND p.item = 'period');
	h := h || coalesce((SELECT format('<div class="notice"><p><b>%s</b></p><p class="en">%s</p></div>',
	                                  minqing.html_escape(x.text_zh), minqing.html_escape(x.text_en))
	                    FROM unnest(c) x WHERE x.section = 'card' AND x.item = 'notice'), '');

	-- index: the score in its band colour, then the sentences
	h := h || '<section><h2>民情指数 <span>Public-sentiment index</span></h2>'
	       || format('<p><span class="score" style="background:%s;color:%s">%s</span>%s</p>',
	                 coalesce(colours[band], grey), CASE WHEN band IN (1, 5) THEN '#fff' ELSE '#222' END,
	                 coalesce((SELECT x.value::text FROM unnest(c) x WHERE x.section = 'index' AND x.item = 'score' AND NOT x.suppressed), '–'),
	                 coalesce((SELECT string_agg(format('%s <span class="en">%s</span>', minqing.html_escape(x.text_zh), minqing.html_escape(x.text_en)), '<br>' ORDER BY x.position)
	                           FROM unnest(c) x WHERE x.section = 'index'), ''))
	       || '</section>';

	-- orders, rates, concerns, changes: one table row per card row
	FOR sect, body IN
		SELECT s.section, s.head FROM (VALUES (1, 'orders', '热线工单 <span>Hotline orders</span>'),
		                                     (2, 'rates', '三率 <span>Response, resolution and satisfaction</span>'),
		                                     (3, 'concerns', '群众最关心的问题 <span>Top concerns</span>'),
		                                     (4, 'changes', '与上季度相比的变化 <span>What changed since last quarter</span>')) s(o, section, head)
		WHERE EXISTS (SELECT 1 FROM unnest(c) x WHERE x.section = s.section)
		ORDER BY s.o
	LOOP
		h := h || format('<section><h2>%s</h2><table>', body)
		       || (SELECT string_agg(format('<tr><td class="v%s">%s</td><td><b>%s</b> <span class="en">%s</span><br>%s<br><span class="en">%s</span></td></tr>',
		                                    CASE WHEN x.suppressed AND x.value IS NULL THEN ' muted' ELSE '' END,
		                                    CASE WHEN x.value IS NULL THEN '–'
		                                         WHEN x.value_kind = 'percent' THEN x.value || '%'
		                                         WHEN x.value_kind = 'percent_at_least' THEN '≥ ' || x.value || '%'
		                                         WHEN x.value_kind = 'percent_at_most' THEN '≤ ' || x.value || '%'
		                                         WHEN x.value_kind = 'count_rounded_5' AND x.item = 'change' THEN '≈ ' || to_char(x.value, 'FMS999,999,990')
		                                         WHEN x.value_kind = 'count_rounded_5' AND x.section = 'changes' THEN '≈ ' || to_char(x.value, 'FMS999,999,990')
		                                         WHEN x.value_kind = 'count_rounded_5' THEN '≈ ' || to_char(x.value, 'FM999,999,990')
		                                         ELSE x.value::text END,
		                                    minqing.html_escape(x.label_zh), minqing.html_escape(x.label_en),
		                                    minqing.html_escape(x.text_zh), minqing.html_escape(x.text_en)), '' ORDER BY x.position)
		           FROM unnest(c) x WHERE x.section = sect)
		       || '</table></section>';
	END LOOP;

	-- the map and its legend
	IF EXISTS (SELECT 1 FROM unnest(c) x WHERE x.section = 'map') THEN
		h := h || '<section><h2>各片区民情指数等级 <span>Index band of each area</span></h2>' || coalesce(svg, '')
		       || '<p class="legend">'
		       || (SELECT string_agg(format('<span class="sw" style="background:%s"></span>%s %s', colours[b.i], b.zh, b.en), '' ORDER BY b.i DESC)
		           FROM unnest(ARRAY['差', '较差', '中等', '较好', '好'], ARRAY['poor', 'fairly poor', 'average', 'fairly good', 'good'])
		                WITH ORDINALITY b(zh, en, i))
		       || format('<span class="sw" style="background:%s"></span>工单太少，不显示 too few to show</p>', grey)
		       || '<ol class="areas">'
		       || (SELECT string_agg(format('<li>%s：%s <span class="en">%s</span></li>', minqing.html_escape(x.label_zh),
		                                    coalesce((ARRAY['差', '较差', '中等', '较好', '好'])[x.value::int], '工单太少，不显示'),
		                                    coalesce((ARRAY['poor', 'fairly poor', 'average', 'fairly good', 'good'])[x.value::int], 'too few to show')),
		                             '' ORDER BY x.position)
		           FROM unnest(c) x WHERE x.section = 'map')
		       || '</ol></section>';
	END IF;

	h := h || (SELECT format('<footer><p>%s</p><p class="en">%s</p></footer>', minqing.html_escape(x.text_zh), minqing.html_escape(x.text_en))
	           FROM unnest(c) x WHERE x.section = 'privacy')
	       || '</main>';
	RETURN minqing.html_page((SELECT x.text_zh FROM unnest(c) x WHERE x.item = 'title' AND x.section = 'card'), h, 'zh-CN', css);
END
$$;
COMMENT ON FUNCTION minqing.public_card_html(regclass, text, timestamptz, timestamptz, regclass, int) IS
	'the public card 明白卡 as one self-contained, printable bilingual HTML page (no script, no external reference): index in its band colour, orders, rates, top concerns, changes, and an SVG map of the sub-units'' admin polygons by index band (grey under k orders)';
