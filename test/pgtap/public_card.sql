-- pgTAP: the public card 明白卡 (SPEC §13) attacked.  On the hand-made city
-- of public_card_fixture.psql (planted caller id PLANTED13800138000 and
-- complaint text with 王秘密 / Plum Lane / xyzzyplugh): no caller, text or
-- coordinate in any card of any unit (rows and HTML); every count under k
-- suppressed, every published count a multiple of 5 and >= k; rates exact
-- only when both parts are >= k; the unit with 3 orders and the street below k
-- everywhere say so; an attacker who requests every period he can think of
-- gets only whole quarters, which never overlap, while the same attacker
-- against a naive monthly release pins a suppressed count; the attacker's
-- bounds from street-minus-communities and total-minus-concerns differences.
BEGIN;
SELECT plan(21);
SET LOCAL client_min_messages = warning;
\ir public_card_fixture.psql

-- every card of every unit (city, district, streets, communities) for both quarters
CREATE TEMP TABLE card AS
SELECT a.code, a.level, a.parent_code, q.s AS quarter, c.*
FROM pc.admin_unit a
CROSS JOIN (VALUES (timestamptz '2025-04-01 00:00+08'), ('2025-07-01 00:00+08')) q(s)
CROSS JOIN LATERAL minqing.public_card('pc.work_order', a.code, q.s, (q.s AT TIME ZONE 'Asia/Shanghai' + interval '3 months') AT TIME ZONE 'Asia/Shanghai',
                                       'pc.admin_unit') c
WHERE a.level <= 5;
CREATE TEMP TABLE page AS
SELECT a.code, q.s AS quarter,
       minqing.public_card_html('pc.work_order', a.code, q.s, (q.s AT TIME ZONE 'Asia/Shanghai' + interval '3 months') AT TIME ZONE 'Asia/Shanghai',
                                'pc.admin_unit') AS html
FROM pc.admin_unit a CROSS JOIN (VALUES (timestamptz '2025-04-01 00:00+08'), ('2025-07-01 00:00+08')) q(s)
WHERE a.level <= 5;
-- the true counts per unit (at every level), quarter and category
CREATE TEMP TABLE truth AS
SELECT a.code, q.s AS quarter, o.category_code, count(*) AS n
FROM pc.admin_unit a
CROSS JOIN (VALUES (timestamptz '2025-04-01 00:00+08'), ('2025-07-01 00:00+08')) q(s)
JOIN pc.work_order o ON minqing.admin_ancestor(o.unit_code, a.level) = a.code
                    AND o.created_at >= q.s AND o.created_at < (q.s AT TIME ZONE 'Asia/Shanghai' + interval '3 months') AT TIME ZONE 'Asia/Shanghai'
WHERE a.level <= 5
GROUP BY 1, 2, 3;

SELECT is((SELECT count(DISTINCT (code, quarter)) FROM card), 26::bigint, 'a card for each of the 13 units and 2 quarters');

-- 1. nothing personal: no caller id, no complaint text, no coordinate
SELECT is((SELECT count(*) FROM card c, pc.work_order o
           WHERE concat_ws(' ', c.item, c.label_zh, c.label_en, c.text_zh, c.text_en) LIKE '%' || o.caller_id || '%'), 0::bigint,
          'no caller id of any order in any row of any card');
SELECT is((SELECT count(*) FROM page WHERE html ~ 'PLANTED13800138000|caller-[0-9a-f]|王秘密|Plum Lane|xyzzyplugh|complaint number'), 0::bigint,
          'the HTML pages hold no planted caller id and no word of the complaint text');
SELECT is((SELECT count(*) FROM card WHERE concat_ws(' ', text_zh, text_en) ~ '王秘密|Plum Lane|xyzzyplugh|complaint number'), 0::bigint,
          'the rows hold no word of the complaint text');
-- the order points are at 120.01..120.05 E, 30.02..30.05 N: no coordinate-like
-- number (3+ decimals or a degree value) in the rows or pages, no point marker
SELECT is((SELECT count(*) FROM page WHERE html ~ '[0-9]\.[0-9]{3,}|120\.0|30\.0[0-9]|<circle|<ellipse|cx=')
        + (SELECT count(*) FROM card WHERE concat_ws(' ', text_zh, text_en, value::text) ~ '[0-9]\.[0-9]{3,}|120\.0|30\.0[0-9]'), 0::bigint,
          'no coordinate finer than the unit: no degree value in the rows or pages, no point on the maps');
SELECT is((SELECT count(*) FROM page p WHERE (length(p.html) - length(replace(p.html, '<path ', ''))) / 6
                                            <> (SELECT count(*) FROM card c WHERE c.code = p.code AND c.quarter = p.quarter AND c.section = 'map')),
          0::bigint, 'the maps draw exactly one admin polygon per sub-unit and nothing else');

-- 2. counts: every count under k suppressed; published counts >= k and multiples of 5
SELECT is((SELECT count(*) FROM card WHERE value_kind = 'count_rounded_5' AND item <> 'change' AND section <> 'changes'
                                        AND value IS NOT NULL AND (value < 10 OR value % 5 <> 0)), 0::bigint,
          'every published count is >= k and a multiple of 5');
SELECT is((SELECT count(*) FROM card c JOIN truth t ON t.code = c.code AND t.quarter = c.quarter AND t.category_code = c.item
           WHERE c.section = 'concerns' AND t.n < 10), 0::bigint,
          'no concern with fewer than k orders is listed (the rare category heating: 3 orders)');
SELECT is((SELECT count(*) FROM card WHERE item = 'heating' OR text_en LIKE '%Heating%' OR text_zh LIKE '%供暖%')
        + (SELECT count(*) FROM page WHERE html LIKE '%Heating%' OR html LIKE '%供暖%'), 0::bigint,
          'the rare category (3 orders) is not named anywhere, at any level');
SELECT is((SELECT count(*) FROM card c
           JOIN (SELECT code, quarter, sum(n) AS n FROM truth GROUP BY 1, 2) t ON t.code = c.code AND t.quarter = c.quarter
           WHERE c.section = 'orders' AND c.item = 'orders' AND c.value IS DISTINCT FROM minqing.public_card_count(t.n::bigint, 10)), 0::bigint,
          'each published total is the true total rounded to 5 (or suppressed under k)');

-- 3. rates: exact only when numerator and complement are both >= k
SELECT is((SELECT count(*) FROM card c
           JOIN (SELECT a.code, q.s AS quarter, count(o.satisfied) AS n, count(*) FILTER (WHERE o.satisfied) AS x
                 FROM pc.admin_unit a CROSS JOIN (VALUES (timestamptz '2025-04-01 00:00+08'), ('2025-07-01 00:00+08')) q(s)
                 JOIN pc.work_order o ON minqing.admin_ancestor(o.unit_code, a.level) = a.code
                  AND o.created_at >= q.s AND o.created_at < (q.s AT TIME ZONE 'Asia/Shanghai' + interval '3 months') AT TIME ZONE 'Asia/Shanghai'
                 WHERE a.level <= 5 GROUP BY 1, 2) t ON t.code = c.code AND t.quarter = c.quarter
           WHERE c.item = 'satisfaction_rate'
             AND ((c.value_kind = 'percent' AND (t.x < 10 OR t.n - t.x < 10 OR c.value <> round(100.0 * t.x / t.n)))
                  OR (c.value_kind = 'percent_at_least' AND (t.n - t.x >= 10 OR 100.0 * t.x / t.n < c.value))
                  OR (c.value_kind = 'percent_at_most' AND (t.x >= 10 OR 100.0 * t.x / t.n > c.value))
                  OR (c.value_kind IS NULL AND t.x >= 10 AND t.n - t.x >= 10))), 0::bigint,
          'satisfaction rates: exact when and only when both parts are >= k, every bound true');
SELECT is((SELECT count(*) FROM card WHERE value_kind LIKE 'percent%' AND (value < 0 OR value > 100 OR value IS NULL)), 0::bigint,
          'every published rate or bound lies in 0..100 (a bound that would say nothing is suppressed)');

-- 4. small units: the unit with 3 orders and the street below k everywhere
SELECT is((SELECT string_agg(DISTINCT code, ',') FROM card
           WHERE section = 'card' AND item = 'notice' AND quarter = '2025-07-01 00:00+08'),
          '990101001002,990101004000,990101004001', 'the cards of the 3-order community and of the 4-order street and community say so');
SELECT is((SELECT count(*) FROM card WHERE code IN ('990101001002', '990101004000', '990101004001') AND value IS NOT NULL
                                       AND section <> 'privacy'), 0::bigint,
          'and show no number at all (not even a band on their maps)');
SELECT ok((SELECT bool_and(html LIKE '%本卡不公布任何数字%' AND html LIKE '%shows no numbers%' AND html NOT LIKE '%≈%')
           FROM page WHERE code IN ('990101001002', '990101004000') AND quarter = '2025-07-01 00:00+08'),
          'their HTML pages say so in both languages and show no count');

-- 5. differencing periods.  The attacker requests every period he can think
-- of for street Alpha: month-aligned windows of 1 to 12 months starting in
-- 2024-10 .. 2025-09, the same shifted by an hour and a day, and quarters cut
-- in UTC and in America/New_York.  Only whole quarters are accepted, and two
-- accepted periods are equal or disjoint: no difference of two cards
-- isolates a shorter period.
CREATE FUNCTION pg_temp.accepted(s timestamptz, e timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	PERFORM minqing.public_card('pc.work_order', '990101001000', s, e, 'pc.admin_unit');
	RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
	RETURN false;
END $$;
CREATE TEMP TABLE tried AS
SELECT DISTINCT s, e, pg_temp.accepted(s, e) AS ok
FROM (SELECT (m + sh) AT TIME ZONE z AS s, (m + make_interval(months => len) + sh) AT TIME ZONE z AS e
      FROM generate_series(timestamp '2024-10-01', '2025-09-01', '1 month') m,
           generate_series(1, 12) len,
           unnest(ARRAY['Asia/Shanghai', 'UTC', 'America/New_York']) z,
           unnest(ARRAY[interval '0', '1 hour', '-1 hour', '1 day']) sh) w
WHERE e <= now();
SELECT is((SELECT string_agg(to_char(s AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') || '/' || to_char(e AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), ' ' ORDER BY s)
           FROM tried WHERE ok),
          '2024-10-01/2025-01-01 2025-01-01/2025-04-01 2025-04-01/2025-07-01 2025-07-01/2025-10-01',
          format('of %s periods tried, only the four whole quarters (Asia/Shanghai) are accepted', (SELECT count(*) FROM tried)));
SELECT is((SELECT count(*) FROM tried a JOIN tried b ON a.ok AND b.ok AND (a.s, a.e) <> (b.s, b.e)
           AND a.s < b.e AND b.s < a.e), 0::bigint, 'no two accepted periods overlap');
-- The attacker's bounds on every suppressed (unit, quarter, category) count,
-- from every pair of accepted overlapping cards (P1 ⊃ P2 gives the count of
-- P1 \ P2 within ±4 when both publish it): none exists, so each stays
-- [1, k − 1] (he knows only that the kind occurred and was suppressed).
SELECT is((SELECT count(*) FROM truth t
           WHERE t.n BETWEEN 1 AND 9
             AND EXISTS (SELECT 1 FROM tried a JOIN tried b ON a.ok AND b.ok AND a.s <= b.s AND b.e <= a.e AND (a.s, a.e) <> (b.s, b.e)
                         WHERE t.quarter >= a.s AND t.quarter < a.e)), 0::bigint,
          'no suppressed count is bounded tighter than [1, k − 1] by differencing two cards');
-- the same attacker against a naive release (suppress() of the monthly
-- windows he asked for) pins suppressed counts exactly: the test is not vacuous
SELECT ok((SELECT count(*) FROM (
	SELECT w1.cat, w1.s, w2.e AS cut, w1.e, w1.n - w2.n AS diff
	FROM (SELECT s, e, category_code AS cat, minqing.suppress(count(*), 10) AS n
	      FROM generate_series(timestamp '2025-03-01', '2025-09-01', '1 month') m,
	           LATERAL (SELECT m AT TIME ZONE 'Asia/Shanghai' AS s) s0,
	           generate_series(1, 6) len,
	           LATERAL (SELECT (m + make_interval(months => len)) AT TIME ZONE 'Asia/Shanghai' AS e) e0,
	           pc.work_order o
	      WHERE o.unit_code LIKE '990101001%' AND o.created_at >= s AND o.created_at < e GROUP BY 1, 2, 3) w1
	JOIN (SELECT s, e, category_code AS cat, minqing.suppress(count(*), 10) AS n
	      FROM generate_series(timestamp '2025-03-01', '2025-09-01', '1 month') m,
	           LATERAL (SELECT m AT TIME ZONE 'Asia/Shanghai' AS s) s0,
	           generate_series(1, 6) len,
	           LATERAL (SELECT (m + make_interval(months => len)) AT TIME ZONE 'Asia/Shanghai' AS e) e0,
	           pc.work_order o
	      WHERE o.unit_code LIKE '990101001%' AND o.created_at >= s AND o.created_at < e GROUP BY 1, 2, 3) w2
	  ON w2.cat = w1.cat AND w2.s = w1.s AND w2.e < w1.e
	WHERE w1.n IS NOT NULL AND w2.n IS NOT NULL AND w1.n - w2.n BETWEEN 1 AND 9) pins) >= 1,
          'the same attack on a naive monthly release (suppress() of overlapping windows) pins a suppressed count exactly');

-- 6. differencing units and margins (not prevented, blurred by the rounding):
-- a street's total minus its published communities bounds each suppressed
-- community; here the 3-order community stays within [0, 9] (the rounding
-- of three published totals spans ±6)
SELECT is((SELECT format('[%s, %s]', greatest(0, (s.value - 2) - sum(c.value + 2)), least(9, (s.value + 2) - sum(c.value - 2)))
           FROM card s JOIN card c ON c.parent_code = s.code AND c.quarter = s.quarter AND c.section = 'orders' AND c.item = 'orders'
           WHERE s.code = '990101001000' AND s.quarter = '2025-07-01 00:00+08' AND s.section = 'orders' AND s.item = 'orders'
             AND c.value IS NOT NULL
           GROUP BY s.value), '[0, 9]',
          'street total minus its published communities leaves the 3-order community anywhere in [0, 9]');

-- 7. the index on the card is sentiment_index's (score and rank)
SELECT is((SELECT c.value FROM card c WHERE c.code = '990101001000' AND c.quarter = '2025-07-01 00:00+08' AND c.item = 'score')
          || '/' || (SELECT c.value FROM card c WHERE c.code = '990101001000' AND c.quarter = '2025-07-01 00:00+08' AND c.section = 'index' AND c.item = 'rank'),
          (SELECT round(s.score::numeric) || '/' || s.rank
           FROM minqing.sentiment_index('pc.work_order', 4, '2025-07-01 00:00+08', '2025-10-01 00:00+08', units => 'pc.admin_unit') s
           WHERE s.unit_code = '990101001000'),
          'the card''s score and rank are those of sentiment_index');

SELECT * FROM finish();
ROLLBACK;
