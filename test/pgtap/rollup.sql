-- pgTAP: rollup states (SPEC §8) — rate_state, kpi_state, index_state — and
-- sentiment_index / alarm_list reading a daily rollup relation.  Every
-- rollup answer is compared with the raw answer over the same rows.
BEGIN;
SELECT plan(53);
\i index_fixture.psql
SET LOCAL TimeZone = 'Asia/Shanghai';

-- the shared 200k-order fixture with callers: 5,000 callers, so a caller
-- often calls again on another day, in the same category or another
CREATE TEMP TABLE ord AS
SELECT o.*, CASE WHEN o.id % 11 = 0 THEN NULL ELSE 'c' || (abs(hashint8(o.id * 31 + 5)) % 5000) END AS caller_id
FROM tap.orders o;
CREATE TEMP TABLE daily AS
SELECT created_at::date AS day, unit_code,
       minqing.rate_state(satisfied) AS rs,
       minqing.kpi_state(responded, resolved, satisfied) AS ks,
       minqing.index_state(category_code, responded, resolved, satisfied, caller_id) AS state
FROM ord GROUP BY 1, 2;

-- 1-3. rate(rate_state) and kpi(kpi_state) over daily states = the raw aggregates
SELECT is((SELECT array_agg(r ORDER BY u)::text FROM (SELECT left(unit_code, 6) u, minqing.rate(rs) r FROM daily GROUP BY 1) x),
          (SELECT array_agg(r ORDER BY u)::text FROM (SELECT left(unit_code, 6) u, minqing.rate(satisfied) r FROM ord GROUP BY 1) x),
          'rate(rate_state) merged over days = rate(flag) per district');
SELECT is((SELECT minqing.rate(rs, 0.9) FROM daily), (SELECT minqing.rate(satisfied, 0.9) FROM ord),
          'rate(rate_state, 0.9) = rate(flag, 0.9)');
SELECT is((SELECT array_agg(r ORDER BY u)::text FROM (SELECT left(unit_code, 6) u, minqing.kpi(ks) r FROM daily GROUP BY 1) x),
          (SELECT array_agg(r ORDER BY u)::text FROM (SELECT left(unit_code, 6) u, minqing.kpi(responded, resolved, satisfied) r FROM ord GROUP BY 1) x),
          'kpi(kpi_state) merged over days = kpi() per district');

-- 4-5. kpi_state remembers its weights; mixing weights is refused
CREATE TEMP TABLE score0 AS SELECT (minqing.kpi(responded, resolved, satisfied)).score AS s FROM ord;
SET LOCAL minqing.kpi_weights = '1,1,1';
SELECT is((SELECT (minqing.kpi(ks)).score FROM daily), (SELECT s FROM score0),
          'kpi(kpi_state) scores with the weights the states were built under, not today''s setting');
CREATE TEMP TABLE daily111 AS
SELECT created_at::date AS day, unit_code, minqing.kpi_state(responded, resolved, satisfied) AS ks FROM ord GROUP BY 1, 2;
RESET minqing.kpi_weights;
SELECT throws_ok($$SELECT minqing.kpi(ks) FROM (SELECT ks FROM daily UNION ALL SELECT ks FROM daily111) x$$,
                 '22023', 'cannot merge kpi_state values built under different minqing.kpi_weights',
                 'kpi_state of different weights: a clear error');

-- 6-8. index_state: merging daily states = one state over all rows, per category
CREATE TEMP TABLE merged AS
SELECT left(unit_code, 9) AS street, minqing.index_state(state) AS st FROM daily GROUP BY 1;
CREATE TEMP TABLE direct AS
SELECT left(unit_code, 9) AS street,
       minqing.index_state(category_code, responded, resolved, satisfied, caller_id) AS st
FROM ord GROUP BY 1;
SELECT is((SELECT array_agg(x ORDER BY m.street, x.category_code)::text FROM merged m, minqing.index_state_counts(m.st) x),
          (SELECT array_agg(x ORDER BY d.street, x.category_code)::text FROM direct d, minqing.index_state_counts(d.st) x),
          'index_state merged over days = index_state over the rows (every count of every category)');
-- independent: the hand-written count of repeats (a caller's 2nd, 3rd … order in a category)
SELECT is((SELECT array_agg(r ORDER BY street) FROM (SELECT m.street, sum(x.repeat_orders)::bigint r FROM merged m, minqing.index_state_counts(m.st) x GROUP BY 1) y),
          (SELECT array_agg(r ORDER BY street) FROM (
               SELECT left(unit_code, 9) street,
                      count(caller_id) - count(DISTINCT (caller_id, category_code)) FILTER (WHERE caller_id IS NOT NULL) r
               FROM ord GROUP BY 1) y),
          'repeat orders from merged daily states = count(caller_id) - count(DISTINCT (caller_id, category_code))');
SELECT ok((SELECT sum(x.repeat_orders) FROM daily d, minqing.index_state_counts(d.state) x)
          < (SELECT sum(x.repeat_orders) FROM merged m, minqing.index_state_counts(m.st) x),
          'repeats across days are found only by merging (daily states alone count fewer)');
-- a caller on two days, in one category: one repeat after merging, none before
SELECT is((SELECT array_agg(x.repeat_orders ORDER BY x.category_code) FROM minqing.index_state_counts(
              (SELECT minqing.index_state(s) FROM (
                   SELECT minqing.index_state(c, true, true, true, p) s
                   FROM (VALUES (1, 'heating', 'A'), (1, 'noise', 'A'), (2, 'heating', 'A'), (2, 'heating', 'B'),
                                (3, 'heating', 'A'), (3, NULL, 'A'), (3, NULL, 'A')) v(d, c, p) GROUP BY d) y)) x),
          ARRAY[2, 0, 1]::bigint[], 'merging three days: A''s 2nd and 3rd heating orders and 2nd order without category are repeats');
SELECT is((SELECT sum(x.repeat_orders) FROM (
               SELECT minqing.index_state(c, true, true, true, p) s
               FROM (VALUES (1, 'heating', 'A'), (1, 'noise', 'A'), (2, 'heating', 'A'), (2, 'heating', 'B'),
                            (3, 'heating', 'A'), (3, NULL, 'A'), (3, NULL, 'A')) v(d, c, p) GROUP BY d) y,
               LATERAL minqing.index_state_counts(y.s) x),
          1::numeric, 'the same days, each alone: only day 3''s second order without category is a repeat');

-- 10-11. merging is order-independent and never double-counts: a state merged with itself
-- counts its orders twice but adds no distinct caller, so every order of the copy is a repeat
SELECT is((SELECT array_agg(x ORDER BY x.category_code)::text FROM minqing.index_state_counts(
              (SELECT minqing.index_state(state ORDER BY day DESC, unit_code DESC) FROM daily WHERE unit_code LIKE '990101%')) x),
          (SELECT array_agg(x ORDER BY x.category_code)::text FROM minqing.index_state_counts(
              (SELECT minqing.index_state(state ORDER BY day, unit_code) FROM daily WHERE unit_code LIKE '990101%')) x),
          'merge order does not change any count');
SELECT is((SELECT sum(x.repeat_orders) - sum(x.caller_orders) / 2 FROM minqing.index_state_counts(
              (SELECT minqing.index_state(s) FROM (SELECT st AS s FROM merged WHERE street = '990101001'
                                                   UNION ALL SELECT st FROM merged WHERE street = '990101001') y)) x),
          (SELECT sum(x.repeat_orders) FROM merged m, minqing.index_state_counts(m.st) x WHERE m.street = '990101001'),
          'a state merged with itself: the copy''s caller orders are all repeats, nothing else changes');

-- merging inside an aggregate is lazy (pairs appended, deduplicated by the final function; a large
-- state grows in place as an expanded object): the street states here are well above the 32 kB at
-- which that starts, the window form keeps its state flat, and a direct call returns the stored form
SELECT ok((SELECT min(pg_column_size(st)) FROM merged) > 32768,
          'the merged street states are large (the expanded, grow-in-place path is taken)');
CREATE TEMP TABLE running AS
SELECT left(unit_code, 9) AS street, day,
       minqing.index_state(state) OVER (PARTITION BY left(unit_code, 9) ORDER BY day) AS st
FROM daily WHERE unit_code LIKE '990101%';
SELECT is((SELECT array_agg(x ORDER BY r.street, x.category_code)::text
           FROM (SELECT DISTINCT ON (street) street, st FROM running ORDER BY street, day DESC) r,
                minqing.index_state_counts(r.st) x),
          (SELECT array_agg(x ORDER BY m.street, x.category_code)::text FROM merged m, minqing.index_state_counts(m.st) x
           WHERE m.street LIKE '990101%'),
          'index_state(state) as a running window aggregate: its last row = the grouped merge');
-- (the day's communities are peers of one frame: any of their rows)
SELECT is((SELECT array_agg(x ORDER BY x.category_code)::text FROM minqing.index_state_counts(
               (SELECT r.st FROM running r WHERE r.street = '990101001' AND r.day = (SELECT min(day) + 40 FROM daily)
                LIMIT 1)) x),
          (SELECT array_agg(x ORDER BY x.category_code)::text FROM minqing.index_state_counts(
               (SELECT minqing.index_state(category_code, responded, resolved, satisfied, caller_id) FROM ord
                WHERE left(unit_code, 9) = '990101001' AND created_at::date <= (SELECT min(day) + 40 FROM daily))) x),
          'a middle row of the running window = index_state over the orders up to that day');
SELECT is((SELECT minqing.index_state_combine(a.st, b.st)::text FROM merged a, merged b
           WHERE a.street = '990101001' AND b.street = '990101002'),
          (SELECT minqing.index_state(st ORDER BY street)::text FROM merged WHERE street IN ('990101001', '990101002')),
          'index_state_combine called directly = the aggregate merge, in the stored form');
SELECT is((SELECT substr(minqing.index_state_combine(a.st, b.st)::text, 27, 8) FROM merged a, merged b
           WHERE a.street = '990101001' AND b.street = '990101002'),
          '00000000', 'a direct combine returns no slots and no pending pairs');
SELECT throws_like(format($$SELECT %L::minqing.index_state$$,
                          overlay((SELECT state::text FROM daily LIMIT 1) placing '00000080' from 27 for 8)),
                   '%invalid index_state%', 'a state marked as holding pending pairs is not accepted as input');

-- 12-15. forced-parallel plans equal serial ones
CREATE TEMP TABLE pc1 AS SELECT * FROM tap.parallel_check($$SELECT left(unit_code, 9), x.* FROM (
	SELECT unit_code, minqing.index_state(category_code, responded, resolved, satisfied,
	       CASE WHEN id % 11 = 0 THEN NULL ELSE 'c' || (abs(hashint8(id * 31 + 5)) % 5000) END) s
	FROM tap.orders GROUP BY 1) y, minqing.index_state_counts(y.s) x$$);
SELECT is(partial_aggregate, true, 'index_state(...) by street: partial aggregation under forced parallel') FROM pc1;
SELECT is(parallel, serial, 'index_state(...) by street: parallel = serial') FROM pc1;
CREATE TABLE tap.rollup AS SELECT day, unit_code, state, rs, ks FROM daily;
ANALYZE tap.rollup;
CREATE TEMP TABLE pc2 AS SELECT * FROM tap.parallel_check($$SELECT y.u, x.* FROM (SELECT left(unit_code, 6) u, minqing.index_state(state) s
	FROM tap.rollup GROUP BY 1) y, minqing.index_state_counts(y.s) x$$);
SELECT is(partial_aggregate, true, 'index_state(index_state) over a rollup: partial aggregation under forced parallel') FROM pc2;
SELECT is(parallel, serial, 'index_state(index_state) over a rollup: parallel = serial (repeats across days included)') FROM pc2;
CREATE TEMP TABLE pc3 AS SELECT * FROM tap.parallel_check($$SELECT left(unit_code, 6), minqing.rate_state(satisfied)::text,
	minqing.kpi_state(responded, resolved, satisfied)::text FROM tap.orders GROUP BY 1$$);
SELECT is(partial_aggregate, true, 'rate_state / kpi_state: partial aggregation under forced parallel') FROM pc3;
SELECT is(parallel, serial, 'rate_state / kpi_state: parallel = serial') FROM pc3;
CREATE TEMP TABLE pc4 AS SELECT * FROM tap.parallel_check($$SELECT left(unit_code, 6), minqing.rate(rs), minqing.rate(rs, 0.8), minqing.kpi(ks)
	FROM tap.rollup GROUP BY 1$$);
SELECT is(partial_aggregate, true, 'rate(rate_state), kpi(kpi_state): partial aggregation under forced parallel') FROM pc4;
SELECT is(parallel, serial, 'rate(rate_state), kpi(kpi_state): parallel = serial') FROM pc4;

-- 18-21. text and binary round trips; the stored form drops the hash slots
SELECT is((SELECT count(*) FROM daily WHERE state::text::minqing.index_state::text = state::text
                                         AND rs::text::minqing.rate_state::text IS NOT DISTINCT FROM rs::text
                                         AND ks::text::minqing.kpi_state::text = ks::text),
          (SELECT count(*) FROM daily), 'text round trip of every daily state');
SET LOCAL bytea_output = 'escape';
SELECT ok((SELECT bool_and(left(state::text, 2) = '\x') FROM daily), 'states are hex text whatever bytea_output says');
RESET bytea_output;
SELECT is((SELECT count(*) FROM daily WHERE '\x' || encode(minqing.index_state_send(state), 'hex') = state::text
                                         AND '\x' || encode(minqing.kpi_state_send(ks), 'hex') = ks::text
                                         AND ('\x' || encode(minqing.rate_state_send(rs), 'hex')) IS NOT DISTINCT FROM rs::text),
          (SELECT count(*) FROM daily), 'binary output = the bytes of the text output');
SELECT ok((SELECT bool_and(substr(state::text, 27, 8) = '00000000') FROM daily),
          'a stored index_state carries no hash slots (the compact form)');

-- 22-27. bad states: a clear error naming the problem
SELECT throws_ok($$SELECT 'deadbeef'::minqing.index_state$$, '22P02', NULL, 'index_state text without \x: error');
SELECT throws_like($$SELECT '\x00'::minqing.index_state$$,
                   '%shorter than the 16-byte header%', 'truncated state: error');
SELECT throws_like(format($$SELECT %L::minqing.index_state$$, (SELECT ks::text FROM daily LIMIT 1)),
                   '%belongs to another aggregate%', 'a kpi_state read as index_state: error naming the kind');
SELECT throws_like(format($$SELECT %L::minqing.index_state$$,
                          overlay((SELECT state::text FROM daily LIMIT 1) placing '02' from 3 for 2)),
                   '%format version 2, expected 1%', 'a state of another version: error naming the versions');
SELECT throws_like(format($$SELECT %L::minqing.index_state$$,
                          overlay((SELECT state::text FROM daily ORDER BY length(state::text) DESC LIMIT 1)
                                  placing 'ff' from 67 for 2)),
                   '%invalid index_state%', 'a corrupted entry: error');
-- counters are 32-bit: a category with 2^31 - 1 orders (byte 8 of its entry) merged with itself is refused,
-- and a negative counter is not accepted as input
SELECT throws_ok($$SELECT minqing.index_state(s) FROM (
                     SELECT overlay((SELECT minqing.index_state('a', NULL, NULL, NULL, NULL))::text
                                    placing 'ffffff7f' from 75 for 8)::minqing.index_state s FROM generate_series(1, 2)) y$$,
                 '22003', 'index_state: more than 2147483647 orders of one category in one state',
                 'a counter that would pass 2^31 - 1: a clear error, not a wrapped count');
SELECT throws_like($$SELECT overlay((SELECT minqing.index_state('a', NULL, NULL, NULL, NULL))::text
                                    placing 'ffffff80' from 75 for 8)::minqing.index_state::text$$,
                   '%invalid index_state%', 'a negative counter: error');
SELECT throws_like(format($$SELECT %L::minqing.rate_state$$, (SELECT ks::text FROM daily LIMIT 1)),
                   '%belongs to another aggregate%', 'a kpi_state read as rate_state: error');

-- 28-33. sentiment_index from a daily rollup relation = from the orders, same days
-- (every field of every unit, as text, in unit order)
CREATE FUNCTION pg_temp.index_text(rel regclass, lvl int, s timestamptz, e timestamptz, sector text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
	SELECT array_agg(x ORDER BY x.unit_code)::text FROM minqing.sentiment_index(rel, lvl, s, e, sector, 'idx.admin_unit') x
$$;
CREATE TABLE idx.daily AS
SELECT created_at::date AS day, unit_code,
       minqing.index_state(category_code, responded, resolved, satisfied, caller_id) AS state
FROM idx.work_order GROUP BY 1, 2;
SELECT is(pg_temp.index_text('idx.daily', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08'),
          pg_temp.index_text('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08'),
          'sentiment_index level 4 from the rollup = from the orders (every field, incl. previous period and last year)');
SELECT is(pg_temp.index_text('idx.daily', 5, '2025-05-01 00:00+08', '2025-07-01 00:00+08', 'utilities'),
          pg_temp.index_text('idx.work_order', 5, '2025-05-01 00:00+08', '2025-07-01 00:00+08', 'utilities'),
          'sentiment_index level 5, two months, one sector: rollup = orders');
SELECT is((SELECT array_agg(c ORDER BY c.unit_code)::text FROM minqing.index_components('idx.daily', 3,
               '2024-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') c),
          (SELECT array_agg(c ORDER BY c.unit_code)::text FROM minqing.index_components('idx.work_order', 3,
               '2024-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') c),
          'index_components over 13 months (repeats across days and months): rollup = orders');
SELECT ok((SELECT sum(repeat_orders) FROM minqing.index_components('idx.daily', 3, '2024-06-01 00:00+08',
               '2025-07-01 00:00+08', units => 'idx.admin_unit'))
          = (SELECT count(caller_id) - count(DISTINCT (left(unit_code, 6), caller_id, category_code)) FROM idx.work_order),
          'rollup repeats = the hand-written count over the raw orders');
-- a coarser grain merged from the daily rollup (docs/rollup.md "Choosing the grain"): per day and district
CREATE TABLE idx.daily_district AS
SELECT day, minqing.admin_ancestor(unit_code, 3) AS unit_code, minqing.index_state(state) AS state
FROM idx.daily GROUP BY 1, 2;
SELECT is(pg_temp.index_text('idx.daily_district', 3, '2025-06-01 00:00+08', '2025-07-01 00:00+08'),
          pg_temp.index_text('idx.work_order', 3, '2025-06-01 00:00+08', '2025-07-01 00:00+08'),
          'sentiment_index level 3 from a per-district rollup merged from the daily one = from the orders');
SELECT ok((SELECT count(*) FROM idx.daily_district) < (SELECT count(*) FROM idx.daily) / 2
          AND (SELECT sum(repeat_orders) FROM minqing.index_components('idx.daily_district', 3, '2025-06-01 00:00+08',
                   '2025-07-01 00:00+08', units => 'idx.admin_unit')) > 0,
          'the per-district rollup is coarser and still counts repeats');
SELECT throws_like($$SELECT * FROM minqing.sentiment_index('idx.daily', 4, '2025-06-01 12:00+08', '2025-07-01 00:00+08',
                                                           units => 'idx.admin_unit')$$,
                   '%holds whole days%', 'a rollup and a period that does not start at midnight: error');
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SELECT is(pg_temp.index_text('idx.daily', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08'),
          pg_temp.index_text('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08'),
          'sentiment_index with parallel plans forced: rollup = orders');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- 34-35. alarm_list from the rollup = from the orders
SELECT is((SELECT array_agg(a ORDER BY a.unit_code, a.category_code)::text
           FROM generate_series(timestamp '2025-06-10', '2025-06-30', interval '5 days') d,
                LATERAL minqing.alarm_list('idx.daily', 5, d::date, 'C1', 'idx.admin_unit') a),
          (SELECT array_agg(a ORDER BY a.unit_code, a.category_code)::text
           FROM generate_series(timestamp '2025-06-10', '2025-06-30', interval '5 days') d,
                LATERAL minqing.alarm_list('idx.work_order', 5, d::date, 'C1', 'idx.admin_unit') a),
          'alarm_list from the rollup = from the orders (5 days, C1, level 5)');
SELECT ok((SELECT count(*) FROM generate_series(timestamp '2025-06-10', '2025-06-30', interval '5 days') d,
                LATERAL minqing.alarm_list('idx.daily', 5, d::date, 'C1', 'idx.admin_unit') a) > 0,
          'and it has alarms to compare');

-- 36-40. rollup relations with the wrong shape: a clear error naming the problem
CREATE TABLE idx.bad_kind AS SELECT day, unit_code, minqing.kpi_state(true, true, true) AS state FROM idx.daily GROUP BY 1, 2;
CREATE TABLE idx.bad_day AS SELECT day::timestamptz AS day, unit_code, state FROM idx.daily;
CREATE TABLE idx.no_unit AS SELECT day, state FROM idx.daily;
SELECT throws_ok($$SELECT * FROM minqing.sentiment_index('idx.bad_kind', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08')$$,
                 '42804', 'column state of rollup relation idx.bad_kind is minqing.kpi_state, not minqing.index_state',
                 'a rollup of kpi_state: error naming the type');
SELECT throws_ok($$SELECT * FROM minqing.sentiment_index('idx.bad_day', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08')$$,
                 '42804', 'column day of rollup relation idx.bad_day is timestamp with time zone, not date',
                 'a rollup whose day is a timestamp: error');
SELECT throws_ok($$SELECT * FROM minqing.sentiment_index('idx.no_unit', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08')$$,
                 '42703', 'rollup relation idx.no_unit lacks column(s) unit_code', 'a rollup without unit_code: error');
SELECT throws_ok($$SELECT * FROM minqing.alarm_list('idx.no_unit', 4, '2025-06-30')$$,
                 '42703', 'rollup relation idx.no_unit lacks column(s) unit_code', 'alarm_list: the same check');
SELECT is((SELECT count(*) FROM minqing.index_state_counts(NULL)), 0::bigint, 'counts of a NULL state: no rows');

SELECT * FROM finish();
ROLLBACK;
