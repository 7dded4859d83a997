-- sentiment index, quadrants, labels, governance trends, demand tiers
-- (tagged x1..).  The fixture is a hand-made city (same as
-- test/pgtap/index_fixture.psql): 3 districts, 9 streets, 27 communities.
SET client_min_messages = notice;
SET extra_float_digits = 0;
\set SHOW_CONTEXT never
-- quadrant: the four quadrants, the boundaries (<= ref is "fewer", >= ref is "more satisfied"), NULL
SELECT 'x1', minqing.quadrant(10, 0.9, 20, 0.8), minqing.quadrant(30, 0.7, 20, 0.8),
       minqing.quadrant(30, 0.9, 20, 0.8), minqing.quadrant(10, 0.7, 20, 0.8);
SELECT 'x2', minqing.quadrant(20, 0.8, 20, 0.8), minqing.quadrant(20, 0.79, 20, 0.8),
       minqing.quadrant(20.001, 0.8, 20, 0.8);
SELECT 'x3', minqing.quadrant(NULL, 0.8, 20, 0.8) IS NULL, minqing.quadrant(1, 0.8, 20, NULL) IS NULL;
SELECT 'x4', minqing.quadrant('NaN', 0.8, 20, 0.8);
-- labels
SELECT 'x5', c, minqing.label(c, 'zh'), minqing.label(c, 'en')
FROM unnest(ARRAY['bright_spot', 'hard_spot', 'turning_point', 'blockage', 'major_cure', 'early_cure',
                  'persistent', 'minor_cure', 'emerging', '1', '2', '3', '4', 'utilities', 'heating',
                  'no_such_code']) c;
SELECT 'x6', minqing.label('heating', 'EN');
SELECT 'x7', minqing.label('heating', 'fr');
-- governance trend rules (ref 100; big drop 30%, small drop 10%)
SELECT 'x8', minqing.governance_trend(200, 120, 100), minqing.governance_trend(200, 170, 100),
       minqing.governance_trend(200, 190, 100), minqing.governance_trend(200, 260, 100),
       minqing.governance_trend(80, 90, 100), minqing.governance_trend(80, 105, 100),
       minqing.governance_trend(100, 100, 100), minqing.governance_trend(NULL, 1, 1) IS NULL;
SELECT 'x9', minqing.governance_trend(-1, 1, 1);
SELECT 'x10', minqing.governance_trend(200, 120, 100, 0.1, 0.3);
-- shipped weights
SELECT 'x11', * FROM minqing.index_weights();
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS idx CASCADE;
SET client_min_messages = notice;
CREATE SCHEMA idx;
CREATE TABLE idx.admin_unit (LIKE minqing.admin_unit INCLUDING ALL);
CREATE TABLE idx.work_order (
	id bigint, created_at timestamptz, category_code text, unit_code text, geom geometry(Point, 4326),
	responded boolean, resolved boolean, satisfied boolean, closed_at timestamptz, caller_id text,
	department text, channel text);
INSERT INTO idx.admin_unit (code, name, level, parent_code, population)
SELECT '110100000000', 'Test City', 2, '110000000000', NULL;
INSERT INTO idx.admin_unit (code, name, level, parent_code, population)
SELECT format('1101%s000000', d), 'District ' || d, 3, '110100000000', NULL
FROM unnest(ARRAY['01', '02', '05']) d;
INSERT INTO idx.admin_unit (code, name, level, parent_code, population)
SELECT format('1101%s%s000', d, s), format('Street %s-%s', d, s), 4, format('1101%s000000', d), NULL
FROM unnest(ARRAY['01', '02', '05']) d, unnest(ARRAY['001', '002', '003']) s;
INSERT INTO idx.admin_unit (code, name, level, parent_code, population)
SELECT format('1101%s%s%s', d, s, c), format('Community %s-%s-%s', d, s, c), 5, format('1101%s%s000', d, s),
       CASE WHEN d = '05' AND s = '003' AND c = '003' THEN 200
            ELSE 3000 + abs(hashtext(d || s || c)) % 5000 END
FROM unnest(ARRAY['01', '02', '05']) d, unnest(ARRAY['001', '002', '003']) s, unnest(ARRAY['001', '002', '003']) c;
INSERT INTO idx.admin_unit (code, name, level, parent_code, population)
VALUES ('110105003004', 'Community without population', 5, '110105003000', NULL);
-- streets and districts: sums of their communities
UPDATE idx.admin_unit a SET population = s.p
FROM (SELECT minqing.admin_ancestor(code, l) AS code, sum(population) AS p
      FROM idx.admin_unit, generate_series(2, 4) l WHERE level = 5 GROUP BY 1) s
WHERE a.code = s.code;

INSERT INTO idx.work_order (id, created_at, category_code, unit_code, responded, resolved, satisfied, caller_id, channel)
SELECT row_number() OVER (ORDER BY u.code, m.start, i),
       m.start + (abs(hashtext(u.code || extract(epoch FROM m.start)::bigint || i || 't')) % 2592000) * interval '1 second',
       (ARRAY['water_supply', 'garbage', 'parking', 'property_management', 'noise', 'school_enrollment',
              'greening', 'public_order', 'heating', 'fitness'])[1 + abs(hashtext(u.code || extract(epoch FROM m.start)::bigint || i || 'c')) % 10],
       u.code,
       abs(hashtext(u.code || extract(epoch FROM m.start)::bigint || i || 'a')) % 100 < CASE WHEN bad THEN 70 ELSE 95 END,
       abs(hashtext(u.code || extract(epoch FROM m.start)::bigint || i || 'b')) % 100 < CASE WHEN bad THEN 45 ELSE 80 END - f.drift,
       abs(hashtext(u.code || extract(epoch FROM m.start)::bigint || i || 's')) % 100 < CASE WHEN bad THEN 40 ELSE 85 END - f.drift,
       'caller' || (abs(hashtext(u.code || extract(epoch FROM m.start)::bigint || i || 'p')) % CASE WHEN bad THEN 25 ELSE 400 END),
       'phone'
FROM idx.admin_unit u
CROSS JOIN LATERAL (SELECT u.code LIKE '110102002%' AS bad,
                           -- districts differ a little; 01 improved since last year
                           CASE WHEN u.code LIKE '110101%' THEN 0 WHEN u.code LIKE '110105%' THEN 5 ELSE 3 END AS drift) f
CROSS JOIN (VALUES (timestamptz '2024-06-01 00:00+08'), ('2025-05-01 00:00+08'), ('2025-06-01 00:00+08')) m(start)
CROSS JOIN LATERAL generate_series(1, CASE WHEN u.code = '110105003003' THEN 3
                                           ELSE (u.population * CASE WHEN f.bad THEN 600 ELSE 250 + abs(hashtext(u.code)) % 100 END
                                                 / 1e4)::int END) i
WHERE u.level = 5 AND u.population IS NOT NULL;
-- the tiny perfect community: every order responded, resolved, satisfied
UPDATE idx.work_order SET responded = true, resolved = true, satisfied = true WHERE unit_code = '110105003003';
-- last year district 01 was worse (its drift then was +10)
UPDATE idx.work_order SET satisfied = false
WHERE unit_code LIKE '110101%' AND created_at < '2025-01-01 00:00+08' AND abs(hashtext(id::text)) % 100 < 15;
ANALYZE idx.work_order;
-- the index of the streets, June 2025 (Asia/Shanghai month)
SELECT 'x12', unit_code, orders, round(complaints_per_10k::numeric, 2) AS c10k, round(eb_per_10k::numeric, 2) AS eb10k,
       round(response_rate::numeric, 4) AS rsp, round(resolution_rate::numeric, 4) AS rsl,
       round(satisfaction_rate::numeric, 4) AS sat, round(repeat_rate::numeric, 4) AS rep,
       round(score::numeric, 2) AS score, rank, rank_lo, rank_hi, units,
       round(score_change_prev::numeric, 2) AS d_prev, round(score_change_yoy::numeric, 2) AS d_yoy, quadrant
FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit');
-- communities: the excluded unit without population is announced
SELECT 'x13', count(*), min(rank), max(rank), count(*) FILTER (WHERE rank_lo <= rank AND rank <= rank_hi)
FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01 00:00+08', '2025-07-01 00:00+08', NULL, 'idx.admin_unit');
-- districts and the city (one unit: score 50, rank 1, no change)
SELECT 'x14', unit_code, level, orders, round(score::numeric, 2), rank, rank_lo, rank_hi, units,
       score_change_prev IS NULL AS no_change_for_one_unit
FROM minqing.sentiment_index('idx.work_order', 2, '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit');
SELECT 'x15', unit_code, orders, round(score::numeric, 2), rank, quadrant
FROM minqing.sentiment_index('idx.work_order', 3, '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit');
-- a sector: only its categories count
SELECT 'x16', unit_code, orders, rank
FROM minqing.sentiment_index('idx.work_order', 3, '2025-06-01 00:00+08', '2025-07-01 00:00+08', 'utilities', 'idx.admin_unit');
SELECT 'x17', (SELECT count(*) FROM idx.work_order o JOIN minqing.category c ON c.code = o.category_code
               WHERE c.sector = 'utilities' AND o.created_at >= '2025-06-01 00:00+08' AND o.created_at < '2025-07-01 00:00+08')
       = (SELECT sum(orders) FROM minqing.sentiment_index('idx.work_order', 3, '2025-06-01 00:00+08',
                                                          '2025-07-01 00:00+08', 'utilities', 'idx.admin_unit'));
-- drill-down: district 02 sees its 3 streets and 9 communities (ranks stay city-wide)
SELECT 'x18', level, count(*), min(rank), max(rank), bool_and(unit_code LIKE '110102%')
FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08', NULL,
                             'idx.admin_unit', '110102000000')
GROUP BY level ORDER BY level;
-- a street's drill-down: its communities only (level 6 does not exist)
SELECT 'x19', level, count(*)
FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01 00:00+08', '2025-07-01 00:00+08', NULL,
                             'idx.admin_unit', '110102002000')
GROUP BY level;
-- same seed, same answer; the seed only moves the simulated interval
SELECT 'x20', (SELECT array_agg(s ORDER BY s.unit_code)::text FROM minqing.sentiment_index('idx.work_order', 4,
                 '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') s)
            = (SELECT array_agg(s ORDER BY s.unit_code)::text FROM minqing.sentiment_index('idx.work_order', 4,
                 '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') s) AS same_seed_same_rows,
       (SELECT array_agg(s.score ORDER BY s.unit_code) FROM minqing.sentiment_index('idx.work_order', 4,
                 '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit', seed => 7) s)
            = (SELECT array_agg(s.score ORDER BY s.unit_code) FROM minqing.sentiment_index('idx.work_order', 4,
                 '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit') s) AS scores_do_not_depend_on_seed;
-- a profile of your own: only satisfaction counts
INSERT INTO minqing.index_weight (profile, component, weight) VALUES
	('satisfaction_only', 'complaints', 0), ('satisfaction_only', 'response', 0), ('satisfaction_only', 'resolution', 0),
	('satisfaction_only', 'satisfaction', 1), ('satisfaction_only', 'repeat', 0);
SELECT 'x21', unit_code, round(satisfaction_eb::numeric, 4), rank
FROM minqing.sentiment_index('idx.work_order', 3, '2025-06-01 00:00+08', '2025-07-01 00:00+08',
                             units => 'idx.admin_unit', profile => 'satisfaction_only');
-- governance trends of the streets, June 2024 -> June 2025
SELECT 'x22', unit_code, orders_before, orders_after, round(rate_before::numeric, 2), round(rate_after::numeric, 2),
       round(change::numeric, 4), trend
FROM minqing.governance_trends('idx.work_order', 4, '2024-06-01 00:00+08', '2024-07-01 00:00+08',
                               '2025-06-01 00:00+08', '2025-07-01 00:00+08', units => 'idx.admin_unit');
-- demand tiers: basic-needs share and priority
SELECT 'x23', unit_code, orders, tier1_orders, round(basic_share::numeric, 4), round(basic_share_eb::numeric, 4),
       round(basic_per_10k_eb::numeric, 2), priority_rank
FROM minqing.demand_tiers('idx.work_order', 4, '2025-06-01 00:00+08', '2025-07-01 00:00+08', 'idx.admin_unit');
-- bad input
SELECT 'e1', * FROM minqing.sentiment_index('idx.work_order', 7, '2025-06-01', '2025-07-01', units => 'idx.admin_unit');
SELECT 'e2', * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01', '2025-07-01', 'astrology', 'idx.admin_unit');
CREATE VIEW idx.thin_orders AS SELECT id, created_at, category_code, unit_code, responded, resolved FROM idx.work_order;
SELECT 'e3', * FROM minqing.sentiment_index('idx.thin_orders', 4, '2025-06-01', '2025-07-01', units => 'idx.admin_unit');
SELECT 'e4', * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01', '2025-06-01', units => 'idx.admin_unit');
SELECT 'e5', * FROM minqing.sentiment_index('idx.work_order', 4, '2025-07-01', '2025-06-01', units => 'idx.admin_unit');
SELECT 'e6', * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01', 'infinity', units => 'idx.admin_unit');
SELECT 'e7', * FROM minqing.sentiment_index('idx.work_order', NULL, '2025-06-01', '2025-07-01', units => 'idx.admin_unit');
SELECT 'e8', * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01', '2025-07-01', units => 'idx.admin_unit',
                                            profile => 'nobody');
SELECT 'e9', * FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01', '2025-07-01', NULL, 'idx.admin_unit',
                                            '110102000000');
SELECT 'e10', * FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01', '2025-07-01', NULL, 'idx.work_order');
SELECT 'e11', * FROM minqing.sentiment_index('idx.no_such_table', 4, '2025-06-01', '2025-07-01');
SELECT 'e12', * FROM minqing.demand_tiers('idx.work_order', 0, '2025-06-01', '2025-07-01', 'idx.admin_unit');
SELECT 'e13', * FROM minqing.governance_trends('idx.work_order', 4, '2025-06-01', '2025-05-01', '2025-06-01',
                                               '2025-07-01', units => 'idx.admin_unit');
INSERT INTO minqing.index_weight (profile, component, weight) VALUES ('bad', 'complaints', -1);
INSERT INTO minqing.index_weight (profile, component, weight) VALUES ('bad', 'astrology', 1);
-- units at a level that has none: empty, with a NOTICE
SELECT 'e14', count(*) FROM minqing.sentiment_index('idx.work_order', 1, '2025-06-01', '2025-07-01', units => 'idx.admin_unit');
-- a period without any order: rows with NULL scores and a NOTICE
SELECT 'e15', count(*), count(score), count(rank), sum(orders)
FROM minqing.sentiment_index('idx.work_order', 4, '2030-01-01', '2030-02-01', units => 'idx.admin_unit');
-- a population of NaN or Infinity counts as missing
UPDATE idx.admin_unit SET population = 'NaN' WHERE code = '110101001000';
UPDATE idx.admin_unit SET population = 'Infinity' WHERE code = '110101002000';
SELECT 'e16', count(*) FROM minqing.sentiment_index('idx.work_order', 4, '2025-06-01', '2025-07-01', units => 'idx.admin_unit');
-- the simulation is bounded by minqing.max_cells (units × 200 replicates × 5 components)
SET minqing.max_cells = 20000;
SELECT 'e17', count(*) FROM minqing.sentiment_index('idx.work_order', 5, '2025-06-01', '2025-07-01', units => 'idx.admin_unit');
RESET minqing.max_cells;
-- a units relation listing a unit twice is refused (it would be listed twice
-- in every answer); a copy without a key but without duplicates is read
CREATE VIEW idx.units_twice AS SELECT * FROM idx.admin_unit UNION ALL SELECT * FROM idx.admin_unit WHERE code = '110101001000';
SELECT 'e18', count(*) FROM minqing.index_components('idx.work_order', 4, '2025-06-01', '2025-07-01', units => 'idx.units_twice');
SELECT 'e19', count(*) FROM minqing.alarm_list('idx.work_order', 4, '2025-06-30', 'C2', units => 'idx.units_twice');
CREATE VIEW idx.units_view AS SELECT * FROM idx.admin_unit;
SELECT 'e20', count(*) FROM minqing.index_components('idx.work_order', 4, '2025-06-01', '2025-07-01', units => 'idx.units_view');
DROP SCHEMA idx CASCADE;
DELETE FROM minqing.index_weight WHERE NOT builtin;
