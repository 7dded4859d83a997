-- pgTAP: sentiment index properties on the hand-made city (index_fixture.psql)
-- and, when minqing.generate_city exists, on a small generated city.
BEGIN;
SELECT plan(35);
\i index_fixture.psql

-- 1-2. EB estimates equal R spdep's EBest (test/reference/index_eb.R, spdep 1.2):
-- Marshall (family = "poisson") for complaints per resident, Martuzzi-Elliott
-- (family = "binomial") for the rates.
CREATE TEMP TABLE ebref AS
WITH d(i, pop, cnt, n, k) AS (VALUES (1, 5000, 120, 100, 80), (2, 12000, 210, 180, 150), (3, 800, 40, 30, 18),
	(4, 3000, 45, 40, 36), (5, 20000, 520, 400, 300), (6, 150, 1, 3, 3), (7, 7000, 260, 200, 120), (8, 9500, 190, 150, 135))
SELECT e.* FROM minqing.index_estimates(ARRAY(
	SELECT ROW('u' || i, 'n', 5, NULL, pop, 0, cnt, cnt, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n, k)::minqing.index_component FROM d)) e;
SELECT ok(max(abs(e.est - r.v)) < 1e-11, 'Marshall EB of complaints equals spdep EBest(poisson)')
FROM ebref e JOIN unnest(ARRAY[0.024012145724, 0.017783563293, 0.039612608985, 0.016384484735, 0.025951019960,
                               0.020310969211, 0.036216077500, 0.020220543628]) WITH ORDINALITY r(v, i)
  ON e.unit_code = 'u' || r.i WHERE e.component = 1;
SELECT ok(max(abs(e.est - r.v)) < 1e-11, 'beta-binomial EB of satisfaction equals spdep EBest(binomial)')
FROM ebref e JOIN unnest(ARRAY[0.793938451763, 0.826390472756, 0.665016851168, 0.854714629952, 0.750631668506,
                               0.794465356203, 0.614737962291, 0.884046065573]) WITH ORDINALITY r(v, i)
  ON e.unit_code = 'u' || r.i WHERE e.component = 4;

CREATE TEMP TABLE s4 AS SELECT * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx.admin_unit');
CREATE TEMP TABLE s5 AS SELECT * FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx.admin_unit');
CREATE TEMP TABLE s3 AS SELECT * FROM minqing.sentiment_index('idx.work_order', 3, '2025-06-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx.admin_unit');

-- 3-5. the planted bad street is last, its communities are the bottom three
SELECT is((SELECT rank FROM s4 WHERE unit_code = '110102002000'), 9, 'bad street ranks last of 9 streets');
SELECT is((SELECT rank_lo FROM s4 WHERE unit_code = '110102002000'), 9, 'bad street: even its optimistic rank is last');
SELECT set_eq('SELECT unit_code FROM s5 WHERE rank > 24', ARRAY['110102002001', '110102002002', '110102002003'],
              'the bad street''s communities are the bottom three of 27');
-- 6-8. the tiny perfect community (3 orders, all satisfied) cannot top the ranking
SELECT is((SELECT satisfaction_rate FROM s5 WHERE unit_code = '110105003003'), 1::float8, 'tiny community: raw satisfaction 100%');
SELECT cmp_ok((SELECT rank FROM s5 WHERE unit_code = '110105003003'), '>', 1, 'tiny community is not first');
SELECT cmp_ok((SELECT rank_hi - rank_lo FROM s5 WHERE unit_code = '110105003003'), '>=',
              (SELECT max(rank_hi - rank_lo) FROM s5 WHERE orders > 50),
              'tiny community has the widest rank interval');
-- 9-11. intervals contain the rank, scores in 0..100, every unit ranked
SELECT is((SELECT count(*) FROM (SELECT * FROM s3 UNION ALL SELECT * FROM s4 UNION ALL SELECT * FROM s5) s
           WHERE NOT (rank_lo <= rank AND rank <= rank_hi)), 0::bigint, 'rank_lo <= rank <= rank_hi at levels 3, 4, 5');
SELECT is((SELECT count(*) FROM (SELECT * FROM s3 UNION ALL SELECT * FROM s4 UNION ALL SELECT * FROM s5) s
           WHERE NOT (score BETWEEN 0 AND 100)), 0::bigint, 'scores within 0..100');
SELECT is((SELECT array_agg(rank ORDER BY rank) FROM s4), ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9], 'ranks 1..9 without gaps');
-- 12. same seed, same rows
SELECT results_eq('SELECT * FROM s4 ORDER BY unit_code',
                  $$SELECT * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08',
                      '2025-07-01 00:00+08', units => 'idx.admin_unit') ORDER BY unit_code$$,
                  'deterministic: same seed, same answer');
-- 13. district 01 was less satisfied last year (fixture): its score rose year on year
SELECT cmp_ok((SELECT score_change_yoy FROM s3 WHERE unit_code = '110101000000'), '>', 0::float8,
              'district 01 improved year on year');
-- 14. complaints per 10k are orders / population
SELECT ok((SELECT bool_and(abs(complaints_per_10k - 1e4 * orders / population) < 1e-9) FROM s5), 'complaints_per_10k = 1e4 orders / population');

-- 15-17. monotonicity: turning unsatisfied orders into satisfied ones never lowers the unit's score
CREATE TEMP TABLE mono (unit text, lvl int, step int, score float8);
DO $$
DECLARE
	u text;
	st int;
BEGIN
	FOREACH u IN ARRAY ARRAY['110105001003', '110102002001', '110101002003'] LOOP
		FOR st IN 0 .. 3 LOOP
			IF st > 0 THEN
				UPDATE idx.work_order SET satisfied = true
				WHERE id IN (SELECT id FROM idx.work_order
				             WHERE unit_code = u AND NOT satisfied AND created_at >= '2025-06-01 00:00+08'
				               AND created_at < '2025-07-01 00:00+08' ORDER BY id LIMIT 4 * st);
			END IF;
			INSERT INTO mono SELECT u, 5, st, s.score
			FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01 00:00+08', '2025-07-01 00:00+08',
			                             units => 'idx.admin_unit') s WHERE s.unit_code = u;
			INSERT INTO mono SELECT u, 4, st, s.score
			FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08',
			                             units => 'idx.admin_unit') s WHERE s.unit_code = minqing.admin_ancestor(u, 4);
		END LOOP;
	END LOOP;
END
$$;
SELECT is((SELECT count(*) FROM (SELECT score < lag(score) OVER (PARTITION BY unit, lvl ORDER BY step) - 1e-9 AS down
                                 FROM mono WHERE lvl = 5) x WHERE down), 0::bigint,
          'monotone: more satisfied orders never lower a community''s score');
SELECT is((SELECT count(*) FROM (SELECT score < lag(score) OVER (PARTITION BY unit, lvl ORDER BY step) - 1e-9 AS down
                                 FROM mono WHERE lvl = 4) x WHERE down), 0::bigint,
          'monotone: more satisfied orders never lower the street''s score');
SELECT ok((SELECT max(score) - min(score) FROM mono WHERE unit = '110105001003' AND lvl = 5) > 1,
          'and they do raise it');

-- 18-19. weights: your row overrides the shipped one, and is what pg_dump keeps
INSERT INTO minqing.index_weight (profile, component, weight) VALUES ('default', 'satisfaction', 0.9);
SELECT is((SELECT weight FROM minqing.index_weights() WHERE component = 'satisfaction'), 0.9::float8,
          'a user row overrides the shipped weight');
SELECT is((SELECT array_to_string(extcondition, '|') FROM pg_extension WHERE extname = 'minqing'
           AND 'minqing.index_weight'::regclass = ANY (extconfig)) LIKE '%WHERE NOT builtin%', true,
          'index_weight is a configuration table dumped WHERE NOT builtin');

-- 20a-b. scale equivariance: doubling every tier weight doubles the shrunk complaint rate and leaves the
-- scores alone (holds because the Poisson variance of weighted counts uses q = Σw²/Σw)
INSERT INTO minqing.index_weight (profile, component, weight)
SELECT 'double', component, 2 * weight FROM minqing.index_weights() WHERE component LIKE 'tier%';
CREATE TEMP TABLE s4d AS SELECT * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx.admin_unit', profile => 'double');
CREATE TEMP TABLE s4s AS SELECT * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx.admin_unit');
SELECT ok(bool_and(abs(d.eb_per_10k - 2 * s.eb_per_10k) < 1e-9 * s.eb_per_10k), 'doubling tier weights doubles eb_per_10k')
FROM s4s s JOIN s4d d USING (unit_code);
SELECT ok(bool_and(abs(d.score - s.score) < 1e-9 AND d.rank = s.rank), 'doubling tier weights leaves scores and ranks')
FROM s4s s JOIN s4d d USING (unit_code);

-- 20-21. demand tiers: shares add up, priorities are a permutation
SELECT ok((SELECT bool_and(tier1_orders + tier2_orders + tier3_orders + tier4_orders <= orders
                           AND basic_share = tier1_orders::float8 / (tier1_orders + tier2_orders + tier3_orders + tier4_orders))
           FROM minqing.demand_tiers('idx.work_order', 5, '2025-06-01 00:00+08', '2025-07-01 00:00+08', 'idx.admin_unit')
           WHERE orders > 0), 'basic_share = tier-1 orders / tiered orders');
SELECT is((SELECT array_agg(priority_rank ORDER BY priority_rank)
           FROM minqing.demand_tiers('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08', 'idx.admin_unit')),
          ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9], 'priority ranks 1..9');

-- 22. a view mapping a warehouse onto the canonical columns works
CREATE VIEW idx.orders_view AS SELECT id, created_at, category_code, unit_code, responded, resolved, satisfied,
	caller_id FROM idx.work_order;
SELECT is((SELECT sum(orders) FROM minqing.sentiment_index('idx.orders_view', 3, '2025-06-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx.admin_unit')), (SELECT sum(orders) FROM s3), 'a view over the orders works');

-- 23-27. the generated city (minqing.generate_city, 30,000 orders, seed 42):
-- three planted bad streets (outcomes 0.15-0.25 worse) and a planted small
-- perfect community (600 residents, a handful of orders, all satisfied)
SELECT minqing.generate_city('idx_city', 30000, 42) IS NOT NULL AS generated \gset
CREATE TEMP TABLE g4 AS SELECT * FROM minqing.sentiment_index('idx_city.work_order', 4, '2025-01-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx_city.admin_unit');
CREATE TEMP TABLE g5 AS SELECT * FROM minqing.sentiment_index('idx_city.work_order', 5, '2025-01-01 00:00+08',
	'2025-07-01 00:00+08', units => 'idx_city.admin_unit');
SELECT set_eq('SELECT unit_code FROM g4 WHERE rank > 45',
              'SELECT unnest(unit_codes) FROM idx_city.planted WHERE kind = ''bad_street''',
              'generated city: the three planted bad streets are the bottom three of 48');
SELECT cmp_ok((SELECT g5.rank FROM g5 JOIN idx_city.planted p ON g5.unit_code = ANY (p.unit_codes)
               WHERE p.kind = 'small_community'), '>', 10,
              'generated city: the small perfect community is nowhere near first place');
SELECT is((SELECT count(*) FROM (SELECT * FROM g4 UNION ALL SELECT * FROM g5) s
           WHERE NOT (rank_lo <= rank AND rank <= rank_hi)), 0::bigint,
          'generated city: rank_lo <= rank <= rank_hi for all 480 streets and communities');
SELECT is((SELECT sum(orders)::bigint FROM minqing.sentiment_index('idx_city.work_order', 3, '2025-01-01 00:00+08',
                                                          '2025-07-01 00:00+08', 'transport', 'idx_city.admin_unit')),
          (SELECT count(*) FROM idx_city.work_order o JOIN minqing.category c ON c.code = o.category_code
           WHERE c.sector = 'transport' AND o.created_at >= '2025-01-01 00:00+08' AND o.created_at < '2025-07-01 00:00+08'),
          'generated city: the transport thermometer counts exactly the transport orders');
SELECT results_eq($$SELECT level, count(*) FROM minqing.sentiment_index('idx_city.work_order', 4, '2025-01-01 00:00+08',
                      '2025-07-01 00:00+08', NULL, 'idx_city.admin_unit', '990102000000') GROUP BY level ORDER BY level$$,
                  $$VALUES (4, 6::bigint), (5, 54::bigint)$$,
                  'generated city: drill-down from a district returns its 6 streets and 54 communities');

-- 28. governance trends see the planted smart-parking policy (parking orders × 0.70 from 2025-04-01 in
-- district 990103): the largest year-on-year drop of transport complaints among the 8 districts
SELECT is((SELECT unit_code FROM minqing.governance_trends('idx_city.work_order', 3, '2024-04-01 00:00+08',
              '2024-10-01 00:00+08', '2025-04-01 00:00+08', '2025-10-01 00:00+08', 'transport', 'idx_city.admin_unit')
           ORDER BY change LIMIT 1), '990103000000',
          'generated city: the smart-parking district has the largest drop in transport complaints');
-- 29. the raw rates are the foundation's kpi() rates per street
SELECT is((SELECT count(*) FROM g4 JOIN (
              SELECT minqing.admin_ancestor(unit_code, 4) AS code, minqing.kpi(responded, resolved, satisfied) AS k
              FROM idx_city.work_order WHERE created_at >= '2025-01-01 00:00+08' AND created_at < '2025-07-01 00:00+08'
              GROUP BY 1) d ON d.code = g4.unit_code
           WHERE abs(g4.response_rate - (d.k).response_rate) < 1e-12 AND abs(g4.resolution_rate - (d.k).resolution_rate) < 1e-12
             AND abs(g4.satisfaction_rate - (d.k).satisfaction_rate) < 1e-12 AND g4.orders = (d.k).orders), 48::bigint,
          'generated city: raw response, resolution and satisfaction rates equal kpi() per street');
-- 30. every order of the period lands in exactly one community
SELECT is((SELECT sum(orders)::bigint FROM g5),
          (SELECT count(*) FROM idx_city.work_order WHERE created_at >= '2025-01-01 00:00+08' AND created_at < '2025-07-01 00:00+08'),
          'generated city: community orders add up to all orders of the period');

-- 31. Φ equals scipy.stats.norm.cdf (test/reference/index_phi.py) to 1e-14 relative
SELECT ok(bool_and(abs(minqing.index_phi(z) - v) <= 1e-14 * v),
          'index_phi equals scipy norm.cdf at -6, -2, -0.5, 0, 1, 3')
FROM (VALUES (-6.0::float8, 9.865876450376946e-10::float8), (-2.0, 0.022750131948179195), (-0.5, 0.3085375387259869),
             (0.0, 0.5), (1.0, 0.8413447460685429), (3.0, 0.9986501019683699)) r(z, v);
-- 32-33. the simulation's draws: a pure function of their arguments, standard normal
SELECT ok(minqing.index_draw(1, 'abc', 7, 3) = minqing.index_draw(1, 'abc', 7, 3)
          AND minqing.index_draw(1, 'abc', 7, 3) <> minqing.index_draw(2, 'abc', 7, 3)
          AND minqing.index_draw(1, 'abc', 7, 3) <> minqing.index_draw(1, 'abd', 7, 3),
          'index_draw: same arguments, same draw; another seed or key, another draw');
SELECT ok(abs(avg(d)) < 0.03 AND abs(stddev_pop(d) - 1) < 0.03
          AND abs(avg((d < -1.6448536269514722)::int) - 0.05) < 0.01,
          'index_draw: 20,000 draws have mean 0, sd 1 and 5% below the 5% normal quantile')
FROM (SELECT minqing.index_draw(42, 'u' || (i % 100), i / 100, 1) AS d FROM generate_series(0, 19999) i) x;

SELECT * FROM finish();
ROLLBACK;
