-- pgTAP: gi_star, hotspot, local_moran against R spdep, geographic input,
-- agreement with the ST_DWithin self-join a DBA would write.
BEGIN;
SELECT plan(20);

-- Reference data and values: test/reference/hotspot_spdep.R (R 4.2.2, Debian
-- r-cran-spdep 1.2-7), run once, output pasted here.  50 points in a 6 km
-- square (x, y in meters; UTM 50N offsets added below), band d <= 1500 m, no
-- pair within 0.3% of the band edge; point 50 is isolated.
--   gstar   spdep::localG(v, nb2listw(include.self(dnearneigh(xy, 0, 1500)), style = "B"))
--   p       2·pnorm(−|gstar|)
--   bin_*   sign(z)·(3 if p ≤ .01, 2 if ≤ .05, 1 if ≤ .10, else 0), with the raw p
--           and with p.adjust(p, "BH") (fdr)
--   ii      localmoran(v, nb2listw(nb, style = "W", zero.policy = TRUE))$Ii·(n−1)/n
--           (GeoDa scale); mz, mp its Z.Ii and Pr(z != E(Ii)) — spdep 1.2-7
--           defaults conditional = TRUE, mlvar = TRUE, adjust.x = FALSE,
--           alternative = "two.sided" (the SPEC's formulas)
--   quad    own deviation, then the lag of deviations, >= 0 high
--   perm_p  conditional permutation pseudo p WITHOUT replacement, 99999 draws
--           in R (spdep::localmoran_perm samples with replacement, so it is
--           not used)
CREATE TABLE hs_ref (id int, x float8, y float8, v float8, nb int, gstar float8, p float8,
                     bin_raw int, bin_fdr int, ii float8, mz float8, mp float8, quad text, perm_p float8);
INSERT INTO hs_ref VALUES
	(1, 2589, 2195, 14, 12, 1.186792989041, 0.235309284954, 0, 0, 0.167401247667, 1.049719688829, 0.293847008782, 'HH', 0.15004),
	(2, 591, 2875, 13.4, 7, 0.883996561859, 0.376698068817, 0, 0, 0.133244505754, 0.744815211585, 0.456383437728, 'HH', 0.23624),
	(3, 3153, 1339, 13.8, 9, 0.392655932025, 0.69457362283, 0, 0, 0.033787325170, 0.221417992759, 0.824766983889, 'HH', 0.41248),
	(4, 1203, 4630, 11.5, 11, -0.288151183522, 0.773231014516, 0, 0, -0.008341925929, -0.319895891808, 0.749047252233, 'HL', 0.37291),
	(5, 409, 2335, 10.4, 9, 1.596477616630, 0.11038219927, 0, 0, -0.081137428394, -1.695858342169, 0.0899127104549, 'LH', 0.04326),
	(6, 1131, 1967, 16.2, 13, 2.715240840123, 0.00662275883576, 3, 2, 0.670120833690, 2.521880132360, 0.0116729477375, 'HH', 0.00464),
	(7, 5579, 2700, 12, 5, 0.476961253776, 0.633389712557, 0, 0, 0.037119230904, 0.424324652323, 0.671329062838, 'HH', 0.34535),
	(8, 3565, 3738, 11.6, 6, -0.483195197245, 0.628957145164, 0, 0, -0.025616497103, -0.556079000576, 0.578156849924, 'HL', 0.29003),
	(9, 5230, 4191, 6, 4, -1.661112337951, 0.0966908869779, -1, 0, 0.686024815224, 1.286903395739, 0.198127961571, 'LL', 0.10406),
	(10, 1984, 1682, 15.3, 13, 1.808337155849, 0.0705540423561, 1, 0, 0.354088250141, 1.627807790705, 0.103565648084, 'HH', 0.05172),
	(11, 466, 5351, 12.1, 8, -1.030959152565, 0.302559975364, 0, 0, -0.088020102156, -1.146364428440, 0.251644394644, 'HL', 0.12956),
	(12, 636, 953, 14.1, 6, 3.195719662274, 0.00139482563321, 3, 2, 0.821505913929, 3.136707698964, 0.00170856371942, 'HH', 0.00029),
	(13, 5803, 1933, 13.2, 3, 0.674714778095, 0.499856993665, 0, 0, 0.130683210150, 0.496844594097, 0.619298645388, 'HH', 0.31967),
	(14, 3444, 5075, 4.4, 6, -1.088586250077, 0.276336382944, 0, 0, 0.291101381267, 0.588372139025, 0.556282534256, 'LL', 0.28190),
	(15, 50, 1538, 15.4, 8, 1.778606423126, 0.0753043103169, 1, 0, 0.474095383785, 1.548446534695, 0.121514824751, 'HH', 0.06150),
	(16, 5035, 5946, 2.9, 2, -3.477132432033, 0.000506807422888, -3, -2, 3.711309811759, 3.002083890634, 0.00268138271888, 'LL', 0.00094),
	(17, 1667, 5025, 10.3, 11, -0.288151183522, 0.773231014516, 0, 0, 0.011255037301, 0.247884024297, 0.804224140982, 'LL', 0.39902),
	(18, 4397, 2519, 14.6, 6, 0.187391815123, 0.851353439523, 0, 0, -0.046024303676, -0.106527165139, 0.915164103368, 'HL', 0.45291),
	(19, 5506, 5212, 2.5, 3, -2.732213656495, 0.00629103296599, -3, -2, 2.144483229304, 2.090597144483, 0.0365641919486, 'LL', 0.02012),
	(20, 2916, 1229, 12.6, 10, 0.988916159850, 0.322704163386, 0, 0, 0.088349718520, 0.920646343953, 0.357235098013, 'HH', 0.18130),
	(21, 2485, 5163, 14.9, 9, -0.908117834561, 0.363815968777, 0, 0, -0.333362878109, -1.207432130318, 0.22726576793, 'HL', 0.11604),
	(22, 3503, 1797, 9.3, 8, 0.079408080942, 0.936708041279, 0, 0, -0.031768082605, -0.213385887891, 0.831025986867, 'LH', 0.42134),
	(23, 3077, 3774, 5.9, 3, -0.957275416097, 0.338428260365, 0, 0, 0.257356436007, 0.433528818885, 0.664630634226, 'LL', 0.33488),
	(24, 1436, 4228, 8.2, 11, -0.008172354995, 0.993479476706, 0, 0, -0.038007018912, -0.165582575658, 0.868485460598, 'LH', 0.44096),
	(25, 4858, 832, 14, 2, -0.047900384161, 0.961795633228, 0, 0, -0.248817742894, -0.516612247725, 0.605426864192, 'HL', 0.29978),
	(26, 1826, 5841, 5.8, 8, 0.138291191809, 0.890010286543, 0, 0, -0.238958495501, -0.538459108908, 0.590260128214, 'LH', 0.30106),
	(27, 546, 950, 17.8, 6, 3.195719662274, 0.00139482563321, 3, 2, 1.613048210333, 2.872446750020, 0.00407306715521, 'HH', 0.00088),
	(28, 3929, 5956, 2.3, 2, -3.218579222075, 0.00128827378279, -3, -2, 3.410017895676, 2.597819874800, 0.00938176931865, 'LL', 0.00246),
	(29, 2003, 4961, 12.4, 10, -0.438755481461, 0.660838721072, 0, 0, -0.047693273732, -0.535349489736, 0.592408210562, 'HL', 0.29644),
	(30, 4432, 2999, 10.7, 6, -0.119960565546, 0.904514386447, 0, 0, 0.003021274455, 0.093746769929, 0.925310316813, 'LL', 0.45804),
	(31, 3034, 757, 10.1, 8, 0.163526810753, 0.870103665336, 0, 0, -0.018806932166, -0.242045470670, 0.808744930036, 'LH', 0.40706),
	(32, 239, 822, 18.7, 5, 3.480345295483, 0.000500767934888, 3, 2, 2.177870985729, 3.105037734051, 0.0019025475144, 'HH', 0.00020),
	(33, 5975, 3990, 10, 4, -1.521070441756, 0.12824216109, 0, 0, 0.184482602657, 1.549763188174, 0.121198365538, 'LL', 0.06518),
	(34, 1335, 347, 19.3, 5, 3.281445690072, 0.00103276411241, 3, 2, 2.126343885161, 2.840777540515, 0.00450036937512, 'HH', 0.00060),
	(35, 4866, 3072, 10.8, 7, 0.020098844845, 0.98396452164, 0, 0, -0.001084755936, -0.043531415339, 0.965277922435, 'LH', 0.48916),
	(36, 518, 4679, 5.2, 7, -0.614601518676, 0.538817911237, 0, 0, 0.047757907902, 0.181525249823, 0.855955315869, 'LL', 0.42245),
	(37, 3216, 2204, 10.6, 11, 0.952836056437, 0.340673142437, 0, 0, -0.030044803135, -1.004291576887, 0.31523809244, 'LH', 0.15997),
	(38, 1735, 2029, 18.9, 12, 1.164689816909, 0.244144572405, 0, 0, 0.271831983555, 0.770337677039, 0.441099612251, 'HH', 0.22488),
	(39, 1528, 3003, 9.5, 9, 0.804702280447, 0.420991503309, 0, 0, -0.106098870415, -0.940273597446, 0.347077238942, 'LH', 0.17736),
	(40, 2146, 873, 14.3, 10, 2.205947722934, 0.0273876602312, 2, 0, 0.420861192130, 2.073358073049, 0.0381389678213, 'HH', 0.01713),
	(41, 1218, 2374, 10, 9, 1.386414772337, 0.165620288238, 0, 0, -0.114748921035, -1.506684581388, 0.13189152555, 'LH', 0.06599),
	(42, 1732, 5426, 7.6, 11, -0.288151183522, 0.773231014516, 0, 0, 0.005358857957, 0.086226749408, 0.931286166941, 'LL', 0.46291),
	(43, 3032, 993, 5.9, 9, 0.392655932025, 0.69457362283, 0, 0, -0.302114077051, -0.769985448926, 0.441308524278, 'LH', 0.22320),
	(44, 2494, 4210, 14.4, 9, -0.778848391919, 0.436069027654, 0, 0, -0.249278444544, -1.036482054531, 0.299977307211, 'HL', 0.15153),
	(45, 4837, 293, 5.7, 1, -0.407019698415, 0.683993520499, 0, 0, -0.819849894578, -0.651602714875, 0.514657495909, 'LH', 0.28592),
	(46, 677, 2740, 4.9, 7, 0.883996561859, 0.376698068817, 0, 0, -0.747910809790, -1.445749983671, 0.148247339318, 'LH', 0.07265),
	(47, 2661, 1496, 9.8, 10, 0.988916159850, 0.322704163386, 0, 0, -0.093603527639, -1.099144363329, 0.271705101967, 'LH', 0.13885),
	(48, 1044, 4619, 16.7, 9, -0.883879814066, 0.376761095065, 0, 0, -0.539487990969, -1.318214593993, 0.187431821442, 'HL', 0.09790),
	(49, 1589, 5646, 10.1, 10, -0.555777747142, 0.578362799704, 0, 0, 0.031550427186, 0.508607947635, 0.611027057025, 'LL', 0.30576),
	(50, 9500, 3000, 14.1, 0, 0.696208283944, 0.486298400565, 0, 0, 0.000000000000, NULL, NULL, NULL, NULL);
CREATE TABLE hs_pts AS
SELECT id, v, ST_SetSRID(ST_MakePoint(440000 + x, 4420000 + y), 32650) AS geom FROM hs_ref;

CREATE TABLE hs_out AS
SELECT id, minqing.gi_star(v, geom, 1500) OVER () AS g,
       minqing.hotspot(v, geom, 1500) OVER () AS h,
       minqing.hotspot(v, geom, 1500, false) OVER () AS hraw,
       minqing.local_moran(v, geom, 1500) OVER () AS m,
       minqing.local_moran(v, geom, 1500, 9999, 1) OVER () AS mperm,
       minqing.local_moran(v, geom, 1500, 9999, 2) OVER () AS mperm_seed2
FROM hs_pts;

SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id) WHERE abs(o.g - r.gstar) < 1e-9),
          50::bigint, 'gi_star = spdep localG (include.self, binary) on all 50 points');
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id)
           WHERE abs((h).z - r.gstar) < 1e-9 AND abs((h).p - r.p) < 1e-9),
          50::bigint, 'hotspot z and two-sided p = R');
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id) WHERE (hraw).bin = r.bin_raw),
          50::bigint, 'hotspot(fdr := false) bins = R bins from raw p');
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id) WHERE (h).bin = r.bin_fdr),
          50::bigint, 'hotspot bins with FDR = R bins from p.adjust(p, "BH")');
SELECT ok((SELECT count(*) FILTER (WHERE (hraw).bin <> 0) > count(*) FILTER (WHERE (h).bin <> 0)
                  AND count(*) FILTER (WHERE (h).bin <> 0) > 0 FROM hs_out),
          'FDR keeps fewer, but some, significant points on this data');
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id)
           WHERE r.nb > 0 AND abs((m).i - r.ii) < 1e-9),
          49::bigint, 'local_moran i = spdep Ii·(n−1)/n (GeoDa scale)');
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id)
           WHERE r.nb > 0 AND abs((m).z - r.mz) < 1e-9 AND abs((m).p - r.mp) < 1e-9),
          49::bigint, 'local_moran z and p = spdep localmoran (conditional, analytical)');
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id) WHERE (m).quadrant = r.quad),
          49::bigint, 'local_moran quadrant = R');
SELECT ok((SELECT m IS NULL AND mperm IS NULL AND g IS NOT NULL FROM hs_out WHERE id = 50),
          'isolated point: local_moran NULL, gi_star defined');
-- Monte Carlo error: SE of p ≤ 0.005 at 9999 draws, ≤ 0.0016 at 99999
SELECT is((SELECT count(*) FROM hs_out o JOIN hs_ref r USING (id)
           WHERE r.nb > 0 AND abs((mperm).p - r.perm_p) < 0.02),
          49::bigint, 'permutation pseudo p (9999 draws) within 0.02 of R''s 99999-draw reference');
CREATE TABLE hs_out2 AS
SELECT id, minqing.local_moran(v, geom, 1500, 9999, 1) OVER (ORDER BY v DESC, id) AS mperm_again FROM hs_pts;
SELECT is((SELECT count(*) FROM hs_out JOIN hs_out2 USING (id)
           WHERE (mperm).p = (mperm_again).p AND (mperm).i = (m).i AND (mperm).z = (m).z),
          49::bigint, 'permutation p: same seed, same answer (also in another row order); i and z are the analytical ones');
SELECT ok((SELECT count(*) FROM hs_out WHERE (mperm).p <> (mperm_seed2).p) > 10,
          'permutation p: another seed, other draws');
SELECT is((SELECT count(*) FROM hs_out WHERE (mperm).p >= 1.0 / 10000 AND (mperm).p <= 0.5 + 1.0 / 10000),
          49::bigint, 'permutation p in [1/(R+1), (R/2+1)/(R+1)]');

-- the same points in lon/lat: distances in meters through the local
-- transverse Mercator; no pair is within 0.3% of the band, so the neighbour
-- sets, and hence every statistic, are the projected ones
SELECT is((SELECT count(*) FROM (
             SELECT id, minqing.gi_star(v, ST_Transform(geom, 4326), 1500) OVER () AS g,
                    minqing.local_moran(v, ST_Transform(geom, 4326), 1500) OVER () AS m FROM hs_pts) s
           JOIN hs_ref r USING (id)
           WHERE abs(s.g - r.gstar) < 1e-9 AND (r.nb = 0 OR abs((s.m).z - r.mz) < 1e-9)),
          50::bigint, 'SRID 4326 input (meters) gives the projected answers');
SELECT is((SELECT count(*) FROM (
             SELECT id, minqing.gi_star(v, ST_SetSRID(ST_Transform(geom, 4326), 4490), 1500) OVER () AS g FROM hs_pts) s
           JOIN hs_ref r USING (id) WHERE abs(s.g - r.gstar) < 1e-9),
          50::bigint, 'SRID 4490 (CGCS2000) input in meters too');

-- row order does not matter
SELECT is((SELECT count(*) FROM (
             SELECT id, minqing.gi_star(v, geom, 1500) OVER (ORDER BY v DESC, id) AS g FROM hs_pts) s
           JOIN hs_ref r USING (id) WHERE abs(s.g - r.gstar) < 1e-9),
          50::bigint, 'gi_star does not depend on the partition''s row order');

-- SPEC §0: within a 200 km extent, agreement with a proper geodesic
-- computation.  400 deterministic points over ~195 km × 200 km near Beijing,
-- band 8 km; the reference is the ST_DWithin(geography) self-join (WGS 84
-- spheroid).  Rows touching a pair within 0.5% of the band edge are excused.
CREATE TABLE hs_geo AS
SELECT i AS id, (i * 7919 % 101)::float8 AS v,
       ST_SetSRID(ST_MakePoint(116 + 2.3 * ('x' || substr(md5('x' || i), 1, 8))::bit(32)::bigint / 4294967296.0,
                               39 + 1.8 * ('x' || substr(md5('y' || i), 1, 8))::bit(32)::bigint / 4294967296.0), 4326) AS geom
FROM generate_series(1, 400) i;
CREATE TABLE hs_geo_ref AS
WITH st AS (SELECT avg(v) AS m, sqrt(avg(v * v) - avg(v) ^ 2) AS s, count(*)::float8 AS n FROM hs_geo),
nb AS (SELECT a.id, count(*)::float8 AS w, sum(b.v) AS sx
       FROM hs_geo a JOIN hs_geo b ON ST_DWithin(a.geom::geography, b.geom::geography, 8000)
       GROUP BY a.id)
SELECT id, w, (sx - m * w) / (s * sqrt((n * w - w * w) / (n - 1))) AS g FROM nb, st;
CREATE TABLE hs_geo_edge AS
SELECT DISTINCT a.id FROM hs_geo a JOIN hs_geo b
  ON a.id <> b.id AND ST_DWithin(a.geom::geography, b.geom::geography, 8040)
 AND NOT ST_DWithin(a.geom::geography, b.geom::geography, 7960);
SELECT ok((SELECT count(*) FROM hs_geo_edge) < 60 AND (SELECT avg(w) FROM hs_geo_ref) > 2,
          'geodesic check: few rows near the band edge, several neighbours each');
SELECT is((SELECT count(*) FROM (SELECT id, minqing.gi_star(v, geom, 8000) OVER () AS g FROM hs_geo) s
           JOIN hs_geo_ref r USING (id)
           WHERE abs(s.g - r.g) < 1e-9 AND id NOT IN (SELECT id FROM hs_geo_edge)),
          (SELECT 400 - count(*) FROM hs_geo_edge),
          'lon/lat over 200 km: gi_star = the geodesic ST_DWithin self-join (0.5% band)');

-- a larger projected set: the same answer as the ST_DWithin self-join
CREATE TABLE hs_big AS
SELECT i AS id, ((i * 48271) % 1000)::float8 / 100 AS v,
       ST_SetSRID(ST_MakePoint(3000 * ((i * 0.6180339887) - floor(i * 0.6180339887)),
                               3000 * ((i * 0.7548776662) - floor(i * 0.7548776662))), 3857) AS geom
FROM generate_series(1, 5000) i;
CREATE INDEX ON hs_big USING gist (geom);
ANALYZE hs_big;
SELECT is((SELECT count(*) FROM (SELECT id, minqing.gi_star(v, geom, 60) OVER () AS g FROM hs_big) s
           JOIN (WITH st AS (SELECT avg(v) AS m, sqrt(avg(v * v) - avg(v) ^ 2) AS s, count(*)::float8 AS n FROM hs_big),
                 nb AS (SELECT a.id, count(*)::float8 AS w, sum(b.v) AS sx
                        FROM hs_big a JOIN hs_big b ON ST_DWithin(a.geom, b.geom, 60) GROUP BY a.id)
                 SELECT id, (sx - m * w) / (s * sqrt((n * w - w * w) / (n - 1))) AS g FROM nb, st) r USING (id)
           WHERE abs(s.g - r.g) < 1e-9),
          5000::bigint, '5000 points (~17 neighbours): gi_star = the ST_DWithin self-join');

-- a long partition is cancellable: 5000 points × 99999 permutations would run
-- for minutes; statement_timeout must stop it (CHECK_FOR_INTERRUPTS per point)
CREATE FUNCTION pg_temp.hs_cancelled() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	PERFORM count((m).p) FROM (SELECT minqing.local_moran(v, geom, 60, 99999, 1) OVER () AS m FROM hs_big) s;
	RETURN false;
EXCEPTION WHEN query_canceled THEN
	RETURN true;
END
$$;
SET statement_timeout = '300ms';
SELECT ok(pg_temp.hs_cancelled(), 'a long local_moran partition is cancelled by statement_timeout');
RESET statement_timeout;

SELECT * FROM finish();
ROLLBACK;
