-- layers: poisson_rate, location_quotient, area_excess, p_adjust_bh, colocation (SPEC §12).
-- Reference values: R 4.2 poisson.test / p.adjust and the Moineddin et al. (2003)
-- LQ interval (test/reference/layers_ref.R); the co-location quotient by brute
-- force in python (test/reference/colocation_ref.py) on the clq_pts fixture below.
SET extra_float_digits = 0;

-- l1: poisson_rate = R poisson.test(x, 2.5, conf.level)$conf.int
SELECT 'l1' AS tag, r.conf, r.x, (pr).rate, abs((pr).lo - r.lo) < 1e-12 AS lo_ok, abs((pr).hi - r.hi) < 1e-12 * r.hi AS hi_ok
FROM (VALUES (0.9, 0, 0, 1.1982929094215959), (0.9, 1, 0.02051731775502021, 1.8975458073562308),
             (0.9, 7, 1.3141262767578687, 5.259245520972847), (0.9, 123, 42.137454610046419, 57.146787983646675),
             (0.95, 0, 0, 1.4755517816455741), (0.95, 1, 0.010127123193715958, 2.2286573563755594),
             (0.95, 7, 1.1257452206079468, 5.7690701446809509), (0.95, 123, 40.890010196293325, 58.702567925255664)
     ) r (conf, x, lo, hi),
	LATERAL (SELECT minqing.poisson_rate(r.x, 2.5, r.conf) AS pr) s ORDER BY 2, 3;
SELECT 'l1b' AS tag, (minqing.poisson_rate(4, 2)).* ;

-- l2: area_excess: 12 complaints in 0.5 km² of a 100 km² city with 400 (expected 2)
SELECT 'l2' AS tag, (a).observed, (a).expected, (a).ratio, abs((a).lo - 3.1002875543611084) < 1e-12 AS lo_ok,
	abs((a).hi - 10.480792524088477) < 1e-12 AS hi_ok, abs((a).p - 1.3646151596151954e-06) < 1e-18 AS p_ok
FROM (SELECT minqing.area_excess(12, 0.5, 400, 100) AS a) s;
SELECT 'l2b' AS tag, (minqing.area_excess(0, 0.5, 400, 100)).p AS p_zero_observed;

-- l3: p_adjust_bh = R p.adjust(p, "BH"); NULL rows are not tests
SELECT 'l3' AS tag, p, abs(minqing.p_adjust_bh(p) OVER () - q) < 1e-15 AS q_ok
FROM (VALUES (0.01, 0.03), (0.04, 0.06), (0.03, 0.06), (0.2, 0.24), (0.001, 0.006), (0.5, 0.5), (NULL, NULL)) v (p, q)
ORDER BY p NULLS LAST;
SELECT 'l3b' AS tag, minqing.p_adjust_bh(p) OVER () FROM (VALUES (NULL::float8)) v (p);

-- l4: location quotient: 30 of 200 orders in the unit, 400 of 10,000 in the city
SELECT 'l4' AS tag, (l).lq, abs((l).lo - 2.6595475722844171) < 1e-12 AS lo_ok, abs((l).hi - 5.2875534720821049) < 1e-12 AS hi_ok,
	abs((l).p - 4.7153450111003417e-14) < 1e-20 AS p_ok
FROM (SELECT minqing.location_quotient(30, 200, 400, 10000) AS l) s;
SELECT 'l4b' AS tag, (minqing.location_quotient(0, 200, 400, 10000)).*;

-- l5: co-location quotient (python brute force), planted co-location found, self-CLQ below 1
CREATE TEMP TABLE clq_pts AS
SELECT id, ST_SetSRID(ST_MakePoint(500000 + abs(hashint4(id)) % 2000, 3300000 + abs(hashint4(id + 7777)) % 2000), 32650) AS geom,
       id % 5 = 0 AS is_a, id % 7 = 0 AS is_b
FROM generate_series(1, 400) id
UNION ALL   -- planted: a B point 3 m east of every A point with id % 10 = 0
SELECT 1000 + id, ST_SetSRID(ST_MakePoint(500003 + abs(hashint4(id)) % 2000, 3300000 + abs(hashint4(id + 7777)) % 2000), 32650),
       false, true
FROM generate_series(10, 400, 10) id;
SELECT 'l5' AS tag, r.pair, abs((c).clq - r.clq) < 1e-12 AS clq_ok, abs(avg((c).local_clq) - r.local) < 1e-12 AS local_ok,
	count(*) AS points, count((c).local_clq) AS a_points, min((c).p) AS p
FROM (VALUES ('A->B', 2.6626661504710314, 2.662427512886599), ('B->A', 2.7193186217576457, 2.7161800208795532),
             ('A->A', 0.48623417721519, 0.48623417721518997)) r (pair, clq, local),
	LATERAL (SELECT minqing.colocation(geom, CASE WHEN r.pair LIKE 'A%' THEN is_a ELSE is_b END,
	                                   CASE WHEN r.pair LIKE '%A' THEN is_a ELSE is_b END, 199, 1) OVER () AS c
	         FROM clq_pts) s
GROUP BY r.pair, r.clq, r.local, (c).clq ORDER BY 2;
-- same seed, same p; no permutations, no p; lon/lat input works in meters
SELECT 'l5b' AS tag,
	(SELECT count(DISTINCT (c).p) FROM (SELECT minqing.colocation(geom, id % 3 = 0, id % 11 = 0, 99, 7) OVER () AS c FROM clq_pts
	 UNION ALL SELECT minqing.colocation(geom, id % 3 = 0, id % 11 = 0, 99, 7) OVER () FROM clq_pts) s) AS distinct_p,
	(SELECT bool_and((c).p IS NULL) FROM (SELECT minqing.colocation(geom, is_a, is_b, 0) OVER () AS c FROM clq_pts) s) AS no_p,
	(SELECT round((c).clq::numeric, 6) FROM (SELECT minqing.colocation(ST_Transform(geom, 4326), is_a, is_b, 0) OVER () AS c FROM clq_pts) s LIMIT 1) AS lonlat_clq;
-- no B point: NULL
SELECT 'l5c' AS tag, count(*) FILTER (WHERE c IS NULL) AS null_rows
FROM (SELECT minqing.colocation(geom, is_a, false, 9) OVER () AS c FROM clq_pts) s;

-- l6: bad input
SELECT minqing.poisson_rate(-1, 2);
SELECT minqing.poisson_rate(1, 0);
SELECT minqing.poisson_rate(1, 2, 1.5);
SELECT minqing.poisson_rate('NaN', 2);
SELECT minqing.location_quotient(30, 20, 400, 10000);
SELECT minqing.area_excess(3, -1, 400, 100);
SELECT minqing.p_adjust_bh(p) OVER () FROM (VALUES (0.5), (1.5)) v (p);
SELECT minqing.colocation(geom, is_a, is_b, -1) OVER () FROM clq_pts;
SELECT minqing.colocation(CASE WHEN id = 3 THEN ST_SetSRID(geom, 3857) ELSE geom END, is_a, is_b, 0) OVER () FROM clq_pts;
