-- rate() and kpi(): reference values, parallel plans, NULLs, empty input, states
BEGIN;
SELECT plan(29);

-- Wilson intervals: reference values computed once with statsmodels 0.13.5
-- proportion_confint(k, n, alpha=1-confidence, method='wilson'); script:
-- test/reference/rate_wilson.py.  Required agreement 1e-9; we check 1e-12.
CREATE TEMP TABLE ref (k int, n int, conf float8, lo float8, hi float8);
INSERT INTO ref VALUES
(0, 1, 0.95, 0.0, 0.7934506856227626),
(1, 1, 0.95, 0.20654931437723745, 1.0),
(0, 10, 0.95, 0.0, 0.2775327998628892),
(3, 10, 0.95, 0.10779126740630099, 0.6032218525388546),
(10, 10, 0.95, 0.7224672001371107, 0.9999999999999999),
(7, 23, 0.9, 0.17424907814592938, 0.475631889511025),
(512, 1000, 0.95, 0.4810325544060909, 0.5428756033902558),
(512, 1000, 0.99, 0.4713395266216968, 0.5525022854206215),
(1, 100000, 0.95, 1.7652477303783126e-06, 5.664709659040966e-05),
(99999, 100000, 0.95, 0.9999433529034099, 0.9999982347522698),
(45, 60, 0.8, 0.6723458517501071, 0.8143323511035929),
(2, 3, 0.999, 0.09907678762821481, 0.9732425191577943),
(123456, 654321, 0.95, 0.18773185940854037, 0.18962786440741708),
(5, 5000, 0.5, 0.0007405230518971044, 0.001350273996780651);

CREATE TEMP TABLE got AS
SELECT ref.k AS rk, ref.n AS rn, ref.conf, (r).*
FROM ref, LATERAL (SELECT minqing.rate(i <= ref.k, ref.conf) AS r
                   FROM generate_series(1, ref.n) i) s;

SELECT is((SELECT count(*) FROM got g JOIN ref r ON (g.rk, g.rn, g.conf) = (r.k, r.n, r.conf)
           WHERE abs(g.lo - r.lo) < 1e-12 AND abs(g.hi - r.hi) < 1e-12
             AND g.n = r.n AND g.k = r.k AND abs(g.p - r.k::float8 / r.n) < 1e-15),
          14::bigint, 'Wilson lo/hi equal statsmodels to 1e-12 on 14 cases');
SELECT is((SELECT count(*) FROM got WHERE lo <= p AND p <= hi AND lo >= 0 AND hi <= 1), 14::bigint,
          'lo <= p <= hi within [0, 1]');
-- default confidence is 0.95
SELECT ok((SELECT abs((minqing.rate(i <= 3)).lo - 0.10779126740630099) < 1e-12 FROM generate_series(1, 10) i),
          'rate(flag) uses 95% by default');

-- NULL rows skipped; empty input gives n = k = 0 and NULL fields
SELECT results_eq($$SELECT (r).n, (r).k, (r).p FROM (SELECT minqing.rate(f) r FROM (VALUES (true), (NULL), (false), (NULL::boolean)) v(f)) s$$,
                  $$VALUES (2::bigint, 1::bigint, 0.5::float8)$$, 'NULL flags are skipped');
SELECT results_eq($$SELECT (r).* FROM (SELECT minqing.rate(f) r FROM (VALUES (NULL::boolean)) v(f) WHERE false) s$$,
                  $$VALUES (0::bigint, 0::bigint, NULL::float8, NULL::float8, NULL::float8)$$, 'empty input: counts 0, NULL fields');
SELECT results_eq($$SELECT (r).* FROM (SELECT minqing.rate(f) r FROM (VALUES (NULL::boolean), (NULL)) v(f)) s$$,
                  $$VALUES (0::bigint, 0::bigint, NULL::float8, NULL::float8, NULL::float8)$$, 'all-NULL input: counts 0');
SELECT results_eq($$SELECT (r).n FROM (SELECT minqing.rate(f, c) r FROM (VALUES (true, 0.9), (true, NULL)) v(f, c)) s$$,
                  $$VALUES (1::bigint)$$, 'a NULL confidence skips the row');
SELECT throws_ok($$SELECT minqing.rate(true, 1.5)$$, '22023', 'rate: confidence must be between 0 and 1 (exclusive)', 'confidence > 1 refused');
SELECT throws_ok($$SELECT minqing.rate(true, 'NaN')$$, '22023', NULL, 'NaN confidence refused');
SELECT throws_ok($$SELECT minqing.rate(f, c) FROM (VALUES (true, 0.9), (true, 0.95)) v(f, c)$$, '22023',
                 'rate: argument confidence must be the same on every row of the group', 'varying confidence refused');
SELECT throws_ok($$SELECT minqing.rate_combine(minqing.rate_trans(NULL, true, 0.9), minqing.rate_trans(NULL, true, 0.95))$$,
                 '22023', 'rate: argument confidence must be the same on every row of the group',
                 'combining partial states of different confidences refused');
SELECT is((minqing.rate_final(minqing.rate_combine(minqing.rate_trans(NULL, true), minqing.rate_trans(NULL, false, 0.5)))).lo,
          (SELECT (minqing.rate(f, 0.5)).lo FROM (VALUES (true), (false)) v(f)),
          'a state without a confidence takes the other partial state''s');

-- kpi: rates over their own non-NULL flags, score with the default weights 0.1/0.5/0.4
SELECT results_eq($$SELECT (k).orders, (k).response_rate, (k).resolution_rate, (k).satisfaction_rate, round((k).score::numeric, 10)
                    FROM (SELECT minqing.kpi(a, b, c) k FROM (VALUES (true, true, true), (true, false, NULL),
                          (false, NULL, false), (NULL::boolean, NULL::boolean, NULL::boolean)) v(a, b, c)) s$$,
                  $$VALUES (4::bigint, 2/3.0::float8, 0.5::float8, 0.5::float8, round((100 * (0.1 * 2/3.0 + 0.5 * 0.5 + 0.4 * 0.5))::numeric, 10))$$,
                  'kpi rates and default-weighted score');
SET LOCAL minqing.kpi_weights = '1 1 1';
SELECT is((SELECT round((minqing.kpi(a, b, c)).score::numeric, 10) FROM (VALUES (true, true, false), (true, false, false)) v(a, b, c)),
          round((100 * (1 + 0.5 + 0) / 3.0)::numeric, 10), 'kpi_weights setting changes the score');
SET LOCAL minqing.kpi_weights = '0,0,1';
SELECT is((SELECT (minqing.kpi(a, b, c)).score FROM (VALUES (true, true, NULL::boolean)) v(a, b, c)),
          NULL::float8, 'score is NULL when no weighted rate is defined');
RESET minqing.kpi_weights;
SELECT results_eq($$SELECT (k).* FROM (SELECT minqing.kpi(a, b, c) k FROM (VALUES (true, true, true)) v(a, b, c) WHERE false) s$$,
                  $$VALUES (0::bigint, NULL::float8, NULL::float8, NULL::float8, NULL::float8)$$, 'kpi on empty input');
SELECT throws_ok($$SET minqing.kpi_weights = '1,2'$$, '22023', NULL, 'two weights refused');
SELECT throws_ok($$SET minqing.kpi_weights = '1,-2,1'$$, '22023', NULL, 'negative weight refused');
SELECT throws_ok($$SET minqing.kpi_weights = 'NaN,1,1'$$, '22023', NULL, 'NaN weight refused');
SELECT throws_ok($$SET minqing.kpi_weights = '0,0,0'$$, '22023', NULL, 'all-zero weights refused');

-- forced parallel plans give the serial answer (tap.orders: 200k committed rows)
SELECT ok(partial_aggregate AND parallel = serial, 'rate(): Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.rate(satisfied)).* FROM tap.orders$$);
SELECT ok(partial_aggregate AND parallel = serial, 'rate(flag, 0.9) grouped: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT category_code, (minqing.rate(responded, 0.9)).* FROM tap.orders GROUP BY 1$$);
SELECT ok(partial_aggregate AND parallel = serial, 'kpi(): Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT left(unit_code, 6), (minqing.kpi(responded, resolved, satisfied)).* FROM tap.orders GROUP BY 1$$);
-- and equal the FILTER-count SQL a DBA would write
SELECT results_eq($$SELECT (r).n, (r).k FROM (SELECT minqing.rate(resolved) r FROM tap.orders) s$$,
                  $$SELECT count(resolved), count(*) FILTER (WHERE resolved) FROM tap.orders$$, 'rate counts equal FILTER counts');
SELECT results_eq($$SELECT (k).orders, (k).satisfaction_rate FROM (SELECT minqing.kpi(responded, resolved, satisfied) k FROM tap.orders) s$$,
                  $$SELECT count(*), (count(*) FILTER (WHERE satisfied))::float8 / count(satisfied) FROM tap.orders$$, 'kpi equals FILTER counts');

-- states: called as plain functions they never modify their input; foreign or corrupt states are refused
SELECT is(minqing.rate_final(minqing.rate_combine(minqing.rate_trans(NULL, true), minqing.rate_trans(NULL, false))),
          minqing.rate_final(minqing.rate_trans(minqing.rate_trans(NULL, true), false)),
          'trans/combine/final called directly');
SELECT throws_ok($$SELECT minqing.rate_final('\x0102'::bytea)$$, '22P03', NULL, 'truncated state refused');
SELECT throws_ok($$SELECT minqing.rate_final(minqing.kpi_trans(NULL, true, true, true))$$, '22P03', NULL, 'a kpi state is not a rate state');
SELECT throws_ok($$SELECT minqing.rate_final(overlay(minqing.rate_trans(NULL, true) placing '\x09'::bytea from 5 for 1))$$,
                 '22P03', NULL, 'unknown format version refused');

SELECT * FROM finish();
ROLLBACK;
