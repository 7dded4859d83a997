-- hotspot: gi_star, hotspot, local_moran (SPEC §3).  Queries tagged h1.., errors e1..
-- Reference values against R spdep are in test/pgtap/hotspot.sql.
SET extra_float_digits = 0;
--
-- Worked example a reader can check by hand: five points on a line (SRID 0),
-- positions 0, 1, 2, 10, 11, values 1..5, band 1.5.  n = 5, mean 3, S² = 2.
-- Gi* of the point at 0: neighbours {0, 1}, W = 2, Σx = 3:
--   (3 − 3·2) / (√2 · √((5·2 − 2²)/4)) = −3/√3 = −√3 = −1.732051
-- at 1: {0, 1, 2}, W = 3, Σx = 6: (6 − 9)/(√2·√((15 − 9)/4)) = −√3
-- at 2: {1, 2}: (5 − 6)/√3 = −0.577350;  at 10 and 11: {10, 11}: (9 − 6)/√3 = +√3
CREATE TABLE hs_line (id int, v float8, geom geometry);
INSERT INTO hs_line VALUES
	(1, 1, 'POINT(0 0)'), (2, 2, 'POINT(1 0)'), (3, 3, 'POINT(2 0)'),
	(4, 4, 'POINT(10 0)'), (5, 5, 'POINT(11 0)');
SELECT 'h1', id, round(minqing.gi_star(v, geom, 1.5) OVER ()::numeric, 6) AS gi_star,
       round(-sqrt(3)::numeric, 6) AS minus_sqrt3
FROM hs_line ORDER BY id;
-- hotspot: p = 2(1 − Φ(√3)) = 0.083265 → 90% bin without FDR; with BH over
-- m = 5 tests the adjusted p is 0.083265·5/4 = 0.104 > 0.10 → bin 0
SELECT 'h2', id, round((h).z::numeric, 6) AS z, round((h).p::numeric, 6) AS p, (h).bin,
       (h_nofdr).bin AS bin_without_fdr
FROM (SELECT id, minqing.hotspot(v, geom, 1.5) OVER () AS h,
             minqing.hotspot(v, geom, 1.5, false) OVER () AS h_nofdr FROM hs_line) s
ORDER BY id;
-- local Moran, same data: z = x − 3 = (−2, −1, 0, 1, 2), Σz² = 10, m2 = 2,
-- neighbours without self.  Point at 0: lag = z(1) = −1,
--   i = (n − 1)·z·lag/Σz² = 4·(−2)(−1)/10 = 0.8, quadrant LL;
--   I = z·lag/m2 = 1, E = −z²/((n − 1)m2) = −0.5,
--   V = (z/m2)²·n/(n − 2)·(1/1 − 1/4)·(m2 − z²/4) = 1·(5/3)·(3/4)·1 = 1.25,
--   z-score = 1.5/√1.25 = 1.341641
-- Point at 2 has z = 0: i = 0, quadrant HL (0 counts as high), V = 0 → z, p NULL
SELECT 'h3', id, round((m).i::numeric, 6) AS i, round((m).z::numeric, 6) AS z,
       round((m).p::numeric, 6) AS p, (m).quadrant
FROM (SELECT id, minqing.local_moran(v, geom, 1.5) OVER () AS m FROM hs_line) s ORDER BY id;
-- permutation p: seeded, deterministic, in [1/(R+1), 1]
SELECT 'h4', id, (m).p AS perm_p, (m).p = (m2).p AS same_seed_same_p, (m).i = (a).i AS same_i
FROM (SELECT id, minqing.local_moran(v, geom, 1.5, 99, 42) OVER () AS m,
             minqing.local_moran(v, geom, 1.5, 99, 42) OVER (ORDER BY id DESC) AS m2,
             minqing.local_moran(v, geom, 1.5) OVER () AS a FROM hs_line) s ORDER BY id;
--
-- NULLs: a row with a NULL (or POINT EMPTY) argument gets NULL and does not
-- change the others' results
SELECT 'h5', id, round(minqing.gi_star(v, geom, 1.5) OVER ()::numeric, 6) AS gi_star
FROM (SELECT * FROM hs_line
      UNION ALL SELECT 6, NULL, 'POINT(0.5 0)'
      UNION ALL SELECT 7, 100, NULL
      UNION ALL SELECT 8, 100, 'POINT EMPTY') t ORDER BY id;
SELECT 'h6', id, minqing.gi_star(v, geom, CASE WHEN id = 3 THEN NULL ELSE 1.5 END) OVER () IS NULL AS is_null
FROM hs_line ORDER BY id;
-- partitions are independent
SELECT 'h7', g, id, round(minqing.gi_star(v, geom, 1.5) OVER (PARTITION BY g)::numeric, 6) AS gi_star
FROM (SELECT 1 AS g, * FROM hs_line UNION ALL SELECT 2, id, -v, geom FROM hs_line) t ORDER BY g, id;
--
-- documented NULLs: fewer than 3 usable rows, zero variance, a band covering
-- every point (Gi*: W = n), a point without neighbours (local_moran)
SELECT 'h8', count(*), count(g) FROM (SELECT minqing.gi_star(v, geom, 1.5) OVER () AS g FROM hs_line WHERE id <= 2) s;
SELECT 'h9', count(*), count(g) FROM (SELECT minqing.gi_star(v, geom, 1.5) OVER () AS g FROM hs_line WHERE id = 1) s;
SELECT 'h10', count(*) FROM (SELECT minqing.gi_star(v, geom, 1.5) OVER () AS g FROM hs_line WHERE false) s;
SELECT 'h11', count(*), count(g), count(m), count(h)
FROM (SELECT minqing.gi_star(7, geom, 1.5) OVER () AS g, minqing.local_moran(7, geom, 1.5) OVER () AS m,
             minqing.hotspot(7, geom, 1.5) OVER () AS h FROM hs_line) s;
SELECT 'h12', count(*), count(g) FROM (SELECT minqing.gi_star(v, geom, 100) OVER () AS g FROM hs_line) s;
-- identical points: every point is every point's neighbour
SELECT 'h13', id, minqing.gi_star(v, 'POINT(3 3)'::geometry, 1) OVER () AS gi, (m).i, (m).z, (m).quadrant
FROM (SELECT id, v, minqing.local_moran(v, 'POINT(3 3)'::geometry, 1) OVER () AS m FROM hs_line) s ORDER BY id;
-- an isolated point: no neighbour → NULL local Moran, Gi* still defined (self)
SELECT 'h14', id, (m).i IS NULL AS moran_null, g IS NOT NULL AS gi_defined
FROM (SELECT id, minqing.local_moran(v, geom, 1.5) OVER () AS m, minqing.gi_star(v, geom, 1.5) OVER () AS g
      FROM (SELECT * FROM hs_line UNION ALL SELECT 6, 3, 'POINT(50 0)') t) s ORDER BY id;
--
-- geographic SRIDs: distance in meters.  Three points 100 m apart along a
-- parallel at 40°N, a fourth 5 km away: with a 150 m band the first three are
-- one cluster; with 50 m every point is alone.
SELECT 'h15', id, round(minqing.gi_star(v, geom, 150) OVER ()::numeric, 6) AS z150,
       round(minqing.gi_star(v, geom, 50) OVER ()::numeric, 6) AS z50
FROM (SELECT id, v, ST_SetSRID(ST_Project(ST_MakePoint(116, 40)::geography, d, radians(90))::geometry, 4326) AS geom
      FROM (VALUES (1, 1.0, 0.0), (2, 2.0, 100.0), (3, 3.0, 200.0), (4, 10.0, 5000.0)) v(id, v, d)) t
ORDER BY id;
--
-- errors
SELECT 'e1', minqing.gi_star(v, geom, 0) OVER () FROM hs_line;
SELECT 'e2', minqing.gi_star(v, geom, -5) OVER () FROM hs_line;
SELECT 'e3', minqing.gi_star(v, geom, 'NaN'::float8) OVER () FROM hs_line;
SELECT 'e4', minqing.hotspot(v, geom, 'Infinity'::float8) OVER () FROM hs_line;
SELECT 'e5', minqing.gi_star(CASE WHEN id = 2 THEN 'NaN' ELSE v END, geom, 1.5) OVER () FROM hs_line;
SELECT 'e6', minqing.local_moran(CASE WHEN id = 2 THEN '-Infinity' ELSE v END, geom, 1.5) OVER () FROM hs_line;
SELECT 'e7', minqing.gi_star(v, ST_SetSRID(geom, CASE WHEN id = 4 THEN 3857 ELSE 0 END), 1.5) OVER () FROM hs_line;
SELECT 'e8', minqing.gi_star(v, CASE WHEN id = 4 THEN ST_Buffer(geom, 1) ELSE geom END, 1.5) OVER () FROM hs_line;
SELECT 'e9', minqing.gi_star(v, geom, id::float8) OVER () FROM hs_line;
SELECT 'e10', minqing.local_moran(v, geom, 1.5, 0, 1) OVER () FROM hs_line;
SELECT 'e11', minqing.local_moran(v, geom, 1.5, 99, id) OVER () FROM hs_line;
SELECT 'e12', minqing.hotspot(v, geom, 1.5, id > 2) OVER () FROM hs_line;
SELECT 'e13', minqing.gi_star(v, ST_SetSRID(ST_MakePoint(ST_X(geom) * 100, 0), 4326), 1000) OVER () FROM hs_line;
SELECT 'e14', minqing.gi_star(v, geom, 1e-300) OVER () FROM (SELECT * FROM hs_line UNION ALL SELECT 6, 1, 'POINT(1e300 0)') t;
DROP TABLE hs_line;
