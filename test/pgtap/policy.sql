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
SELECT ok(p.partial_aggregate AND p.parallel = p.serial, 'GROUP BY, all six aggregates: Partial HashAggregate, parallel = serial')
FROM tap.parallel_check($$SELECT category_code, minqing.before_after(created_at::date, 1, date '2025-01-01'),
                                 minqing.its(created_at::date, 1, date '2025-01-01'),
                                 minqing.content_shift(unit_code, created_at >= '2025-01-01'),
                                 minqing.did(satisfied::int, unit_code < '990104', created_at >= '2025-01-01', left(unit_code, 9)),
                                 minqing.event_study(resolved::int, unit_code < '990104',
                                     extract(year FROM created_at)::int - 2025, left(unit_code, 9), 0),
                                 minqing.resilience(created_at::date, 1, date '2025-06-01', date '2025-06-03')
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

-- Worked example (README section:policy) on a small generated city
-- (100,000 orders, seed 42): the planted smart-parking policy multiplies
-- parking orders in the 54 treated communities by planted.effect = 0.70 from
-- planted.start_date; the planted storm peaks the day after its start.
SELECT minqing.generate_city('polcity', 100000, 42);
CREATE TEMP TABLE pol AS
SELECT (SELECT start_date FROM polcity.planted WHERE kind = 'policy') AS policy_date,
       (SELECT effect FROM polcity.planted WHERE kind = 'policy') AS effect,
       (SELECT unit_codes FROM polcity.planted WHERE kind = 'policy') AS treated_units,
       (SELECT unit_codes FROM polcity.planted WHERE kind = 'policy_control') AS control_units;
-- community × month panel of parking orders, zero-filled
CREATE TEMP TABLE pol_panel AS
WITH u AS (SELECT code, code = ANY (pol.treated_units) AS treated FROM pol, unnest(pol.treated_units || pol.control_units) code),
m AS (SELECT generate_series(date '2024-01-01', date '2025-12-01', interval '1 month')::date AS month),
c AS (SELECT minqing.admin_ancestor(unit_code, 5) AS unit_code, date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')::date AS month, count(*) AS n
      FROM polcity.work_order WHERE category_code = 'parking' GROUP BY 1, 2)
SELECT u.code, u.treated, m.month, coalesce(c.n, 0)::float8 AS y
FROM u CROSS JOIN m LEFT JOIN c ON c.unit_code = u.code AND c.month = m.month;

-- DiD in orders per community-month; as a ratio to the counterfactual
-- ȳ_T,pre · ȳ_C,post / ȳ_C,pre its 95% CI contains the planted 0.70
SELECT ok(s.clusters = 108 AND 1 + s.ci_lo / s.cf <= p.effect AND p.effect <= 1 + s.ci_hi / s.cf AND s.att < 0,
          'did on the generated city: planted policy effect 0.70 inside the 95% CI (as a ratio)')
FROM pol p, LATERAL (
	SELECT (minqing.did(y, treated, month >= p.policy_date, code)).*,
	       avg(y) FILTER (WHERE treated AND month < p.policy_date)
	       * avg(y) FILTER (WHERE NOT treated AND month >= p.policy_date)
	       / avg(y) FILTER (WHERE NOT treated AND month < p.policy_date) AS cf
	FROM pol_panel) s;

-- before_after in treated and control communities; the ratio of the two rate
-- ratios (se = √(se_T² + se_C²) on the log scale) covers 0.70
SELECT ok(exp(ln(rrr) - 1.959963984540054 * se) <= effect AND effect <= exp(ln(rrr) + 1.959963984540054 * se)
          AND t_lo <= effect AND effect <= t_hi,
          'before_after on the generated city: treated RR and ratio of RRs cover the planted 0.70')
FROM (SELECT max((r).rate_ratio) FILTER (WHERE treated) / max((r).rate_ratio) FILTER (WHERE NOT treated) AS rrr,
             sqrt(sum(((ln((r).rr_hi) - ln((r).rr_lo)) / (2 * 1.959963984540054)) ^ 2)) AS se,
             max((r).rr_lo) FILTER (WHERE treated) AS t_lo, max((r).rr_hi) FILTER (WHERE treated) AS t_hi,
             max(effect) AS effect
      FROM (SELECT minqing.admin_ancestor(w.unit_code, 5) = ANY (p.treated_units) AS treated, p.effect,
                   minqing.before_after((w.created_at AT TIME ZONE 'Asia/Shanghai')::date, 1, p.policy_date) AS r
            FROM polcity.work_order w, pol p
            WHERE w.category_code = 'parking' AND minqing.admin_ancestor(w.unit_code, 5) = ANY (p.treated_units || p.control_units)
            GROUP BY 1, p.effect, p.policy_date) b) s;

-- event study: 24 monthly rows, reference −1, the post months on average below 0
SELECT ok(count(*) = 24 AND count(*) FILTER (WHERE is_reference AND period = -1) = 1
          AND avg(estimate) FILTER (WHERE period >= 0) < 0,
          'event_study on the generated city: 24 months, reference −1, negative post-policy effects')
FROM (SELECT (unnest(minqing.event_study(y, treated,
              ((extract(year FROM month) - 2025) * 12 + extract(month FROM month) - 4)::int, code))).*
      FROM pol_panel) e;

-- the storm: peak the day after it starts, recovery within three weeks
SELECT ok(r.peak_day = s.start_date + 1 AND r.days_to_peak = 1 AND r.peak_ratio > 1.5
          AND r.recovery_day BETWEEN s.end_date AND s.end_date + 21
          AND r.excess_cases > 0 AND r.resilience_index > 0 AND r.resilience_index < 100,
          'resilience on the generated city: the planted storm peaks on day 2 and recovers within 3 weeks')
FROM polcity.planted s, LATERAL (
	SELECT (minqing.resilience((created_at AT TIME ZONE 'Asia/Shanghai')::date, 1, s.start_date, s.end_date)).*
	FROM polcity.work_order WHERE created_at >= s.start_date - 49 AND created_at < s.start_date + 42) r
WHERE s.kind = 'storm';

SELECT * FROM finish();
ROLLBACK;
