-- density: kde(), kde_bandwidth(), eb_rate(), eb_rate_local() against
-- independent references, forced-parallel plans, geographic input in meters.
BEGIN;
SELECT plan(40);

----------------------------------------------------------------------------
-- kde, dataset A: 60 weighted points, s = 20, h = 90.  Reference values
-- computed once by brute force (the quartic kernel summed over all points at
-- every cell centre) in test/reference/density_kde.py.
----------------------------------------------------------------------------
CREATE TEMP TABLE a AS
SELECT k, ST_Point(((k * 37) % 101) * 4.5, ((k * 61) % 97) * 3.7 + (k % 7) * 11) AS geom, 1.0 + (k % 4) AS w
FROM generate_series(1, 60) k;
CREATE TEMP TABLE ref_a (weighted boolean, i int, j int, value float8);
INSERT INTO ref_a VALUES
(false, 14, 5, 0.0009844923003514854), (false, 5, 5, 3.3217378365231226e-05),
(false, 10, 10, 0.0007380926495361891), (false, 15, 7, 0.0006233269224073982),
(false, 0, 12, 0.0002571600128107479), (false, 22, 3, 7.96154519181684e-05),
(true, 10, 8, 0.0026248273676797978), (true, 5, 5, 9.965213509569368e-05),
(true, 10, 10, 0.0019950571497945116), (true, 15, 7, 0.0014492237420355746),
(true, 0, 12, 0.0004809038007764924), (true, 22, 3, 8.399818393316493e-05);

CREATE TEMP TABLE got_a AS
SELECT false AS weighted, c.* FROM minqing.grid_cells((SELECT minqing.kde(geom, 20, 90) FROM a)) c
UNION ALL
SELECT true, c.* FROM minqing.grid_cells((SELECT minqing.kde(geom, 20, 90, w) FROM a)) c;

-- kde keeps points quantized to <= h/65536 (src/density.c), so cells agree
-- with the brute force to 1e-5 of the largest value.
SELECT is((SELECT count(*) FROM ref_a r JOIN got_a g USING (weighted, i, j)
           WHERE abs(g.value - r.value) <= 1e-5 * (SELECT max(value) FROM got_a m WHERE m.weighted = r.weighted)), 12::bigint,
          'kde dataset A: 12 cells equal the python brute force to 1e-5 of the maximum');
SELECT is((SELECT count(*) FROM got_a WHERE NOT weighted), 572::bigint, 'kde dataset A: 572 non-zero cells, as the brute force');
SELECT ok((SELECT abs(max(value) - 0.0009844923003514854) < 1e-9 AND
                  abs(sum(value) * 400 - 59.9976244855463) < 1e-5 FROM got_a WHERE NOT weighted),
          'kde dataset A: maximum and integral equal the brute force');

-- the same brute force in SQL, every cell, exact mode and lattice mode
CREATE TEMP TABLE exact_a AS
SELECT (i + 0.5) AS ci, (j + 0.5) AS cj, i, j,
       sum(w * 3 / (pi() * 90 ^ 2) * (1 - d2 / 90 ^ 2) ^ 2) FILTER (WHERE d2 < 90 ^ 2) AS e
FROM (SELECT i, j, a.w, (ST_X(a.geom) - (i + 0.5) * 20) ^ 2 + (ST_Y(a.geom) - (j + 0.5) * 20) ^ 2 AS d2
      FROM generate_series(-6, 28) i, generate_series(-6, 28) j, a) s
GROUP BY i, j;
SELECT ok((SELECT bool_and(abs(g.value - e.e) <= 1e-5 * (SELECT max(e) FROM exact_a)) AND count(*) = (SELECT count(*) FROM exact_a WHERE e > 0)
           FROM got_a g JOIN exact_a e USING (i, j) WHERE g.weighted),
          'kde weighted, exact mode: every cell within 1e-5 of the maximum of the SQL brute force');
SET LOCAL minqing.kde_exact_points = 0;
SELECT ok((SELECT max(abs(g.value - e.e) / e.e) < 0.02
           FROM minqing.grid_cells((SELECT minqing.kde(geom, 20, 90, w) FROM a)) g JOIN exact_a e USING (i, j)
           WHERE e.e >= 0.05 * (SELECT max(e) FROM exact_a)),
          'kde lattice mode (kde_exact_points = 0): within 2% on every cell >= 5% of the maximum');
SET LOCAL minqing.kde_exact_points = 25;
SELECT ok((SELECT max(abs(g.value - e.e) / e.e) < 0.02
           FROM minqing.grid_cells((SELECT minqing.kde(geom, 20, 90, w) FROM a)) g JOIN exact_a e USING (i, j)
           WHERE e.e >= 0.05 * (SELECT max(e) FROM exact_a)),
          'kde switching to the lattice after 25 points: within 2%');
-- worst case of linear binning: single points at many sub-cell offsets
SET LOCAL minqing.kde_exact_points = 0;
SELECT ok((SELECT max(abs(g.value - 3 / (pi() * 30 ^ 2) * (1 - d2 / 900) ^ 2) / (3 / (pi() * 30 ^ 2) * (1 - d2 / 900) ^ 2)) < 0.02
           FROM (SELECT x, y FROM generate_series(0, 9) x, generate_series(0, 9) y) p,
                LATERAL (SELECT c.*, ((c.i + 0.5) * 10 - (p.x * 1.37 + 0.11)) ^ 2 + ((c.j + 0.5) * 10 - (p.y * 0.93 + 0.07)) ^ 2 AS d2
                         FROM minqing.grid_cells((SELECT minqing.kde(ST_Point(q.px, q.py), 10, 30)
                                                  FROM (VALUES (p.x * 1.37 + 0.11, p.y * 0.93 + 0.07)) q(px, py))) c) g
           WHERE (1 - d2 / 900) ^ 2 >= 0.05),
          'kde lattice mode, 100 single points at sub-cell offsets: within 2% of the exact kernel on cells >= 5% of the maximum');
RESET minqing.kde_exact_points;

----------------------------------------------------------------------------
-- kde, geographic input (meters): against a proper projected computation.
-- 500 points over ~15 km near Beijing; the reference projects points and cell
-- centres with PROJ (ST_Transform) to UTM 50N and sums the kernel there.
----------------------------------------------------------------------------
CREATE TEMP TABLE geo AS
SELECT k, ST_SetSRID(ST_Point(116.35 + 0.15 * ((k * 0.6180339887) % 1) * ((k * 0.381966) % 1) + 0.02 * ((k * 0.7548776662) % 1),
                              39.85 + 0.12 * ((k * 0.5698402910) % 1)), 4326) AS geom
FROM generate_series(1, 500) k;
CREATE TEMP TABLE geo_grid AS SELECT minqing.kde(geom, 500, 2000) AS g FROM geo;
-- cell centres: the grid's transverse Mercator inverted (minqing.tm_unproject,
-- checked against PROJ on 25 cells below), then PROJ to UTM 50N
CREATE TEMP TABLE geo_cells AS
SELECT c.i, c.j, c.value, c.geom,
       ST_Transform(minqing.tm_unproject(ST_Point((c.i + 0.5) * 500, (c.j + 0.5) * 500), 116.385, 39.91), 32650) AS centre_utm
FROM geo_grid, minqing.grid_cells(g) c;
CREATE TEMP TABLE geo_utm AS SELECT ST_Transform(geom, 32650) AS g FROM geo;
CREATE INDEX ON geo_utm USING gist (g);
ANALYZE geo_utm;
CREATE TEMP TABLE geo_ref AS
SELECT gc.i, gc.j, gc.value,
       (SELECT coalesce(sum(3 / (pi() * 2000 ^ 2) * (1 - ST_Distance(u.g, gc.centre_utm) ^ 2 / 2000 ^ 2) ^ 2), 0)
        FROM geo_utm u WHERE ST_DWithin(u.g, gc.centre_utm, 2000)) AS e
FROM geo_cells gc;
SELECT ok((SELECT max(abs(value - e) / e) < 0.005 FROM geo_ref WHERE e >= 0.05 * (SELECT max(e) FROM geo_ref)),
          'kde on SRID 4326 in meters: within 0.5% of the UTM 50N (PROJ) brute force on cells >= 5% of the maximum');
SELECT ok((SELECT abs((minqing.grid_info(g)).integral - 500) < 1 FROM geo_grid),
          'kde on SRID 4326: the grid integrates to the number of points (per square meter)');
SELECT is((SELECT (minqing.grid_info(g)).projection FROM geo_grid),
          '+proj=tmerc +lat_0=39.91 +lon_0=116.385 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs',
          'kde on SRID 4326: the grid lives in a transverse Mercator centred on the rounded mean');
SELECT ok((SELECT max(ST_Distance(ST_Transform(ST_SetSRID(ST_Centroid(c.geom), 4326), 32650),
                                   ST_Transform(ST_SetSRID(ST_Point((c.i + 0.5) * 500, (c.j + 0.5) * 500), 0), (minqing.grid_info(g)).projection, 32650))) < 0.5
           FROM geo_grid, (SELECT * FROM geo_cells ORDER BY i, j LIMIT 25) c),
          'grid_cells polygons map back to lon/lat: centroids within 0.5 m of the metric cell centres (PROJ, grid_info().projection)');
SET LOCAL minqing.kde_exact_points = 0;
SELECT ok((SELECT max(abs(c.value - r.e) / r.e) < 0.02
           FROM minqing.grid_cells((SELECT minqing.kde(geom, 500, 2000) FROM geo)) c JOIN geo_ref r USING (i, j)
           WHERE r.e >= 0.05 * (SELECT max(e) FROM geo_ref)),
          'kde on SRID 4326, lattice mode (degree micro-lattice): within 2% of the UTM brute force');
RESET minqing.kde_exact_points;
-- CGCS2000 (4490) behaves as WGS 84 for this purpose
SELECT ok((SELECT abs((minqing.grid_info(minqing.kde(ST_SetSRID(geom, 4490), 500, 2000))).max_value
                      - (SELECT (minqing.grid_info(g)).max_value FROM geo_grid)) < 1e-15 FROM geo),
          'kde on SRID 4490 equals SRID 4326');

----------------------------------------------------------------------------
-- kde at warehouse scale (SPEC §8): the binned paths against the exact sum,
-- at the smallest cell the contract covers (cell = bandwidth / 20).
-- 40,000 points over 1.2 km: 9/10 uniform, 1/10 in a disc of 150 m (twice
-- as dense), h = 100, s = 5.  With these sizes the final
-- function bins the kept points (cheaper than the exact sum); with
-- kde_exact_points = 1000 the state itself bins them onto its tiled lattice
-- (39 flushes of pending points).  Exact reference: the quartic kernel
-- summed in SQL over the points within h (GiST) at every 97th cell.
----------------------------------------------------------------------------
CREATE TEMP TABLE big AS
SELECT k, CASE WHEN k % 10 = 0
               THEN ST_Point(300 + 150 * sqrt((k * 0.6180339887) % 1) * cos(2 * pi() * ((k * 0.7548776662) % 1)),
                             700 + 150 * sqrt((k * 0.6180339887) % 1) * sin(2 * pi() * ((k * 0.7548776662) % 1)))
               ELSE ST_Point(1200 * ((k * 0.7548776662) % 1), 1200 * ((k * 0.5698402910) % 1)) END AS geom
FROM generate_series(1, 40000) k;
CREATE INDEX ON big USING gist (geom);
ANALYZE big;
CREATE TEMP TABLE big_grid AS SELECT 'final binning'::text AS mode, minqing.kde(geom, 5, 100) AS g FROM big;
SET LOCAL minqing.kde_exact_points = 1000;
INSERT INTO big_grid SELECT 'state lattice', minqing.kde(geom, 5, 100) FROM big;
RESET minqing.kde_exact_points;
CREATE TEMP TABLE big_ref AS
SELECT i, j, (SELECT coalesce(sum(3 / (pi() * 100 ^ 2) * (1 - d2 / 100 ^ 2) ^ 2) FILTER (WHERE d2 < 100 ^ 2), 0)
              FROM (SELECT (ST_X(b.geom) - (i + 0.5) * 5) ^ 2 + (ST_Y(b.geom) - (j + 0.5) * 5) ^ 2 AS d2
                    FROM big b WHERE ST_DWithin(b.geom, ST_Point((i + 0.5) * 5, (j + 0.5) * 5), 100)) p) AS e
FROM generate_series(-21, 260) i, generate_series(-21, 260) j
WHERE (i * 7 + j * 13) % 97 = 0;
SELECT ok((SELECT count(*) = 2 AND bool_and(worst < 0.02) AND min(n) > 200
           FROM (SELECT m.mode, max(abs(c.value - r.e) / r.e) AS worst, count(*) AS n
                 FROM big_grid m, minqing.grid_cells(m.g) c JOIN big_ref r USING (i, j)
                 WHERE r.e >= 0.05 * (SELECT max(e) FROM big_ref) GROUP BY m.mode) s),
          'kde, cell = h/20, 40,000 points: binned in the final function and on the state lattice, within 2% of the exact sum on every sampled cell >= 5% of the maximum');
SELECT ok((SELECT bool_and(abs((minqing.grid_info(g)).integral - 40000) < 40 AND (minqing.grid_info(g)).points = 40000) FROM big_grid),
          'kde binned paths integrate to the number of points (0.1%)');
-- single points at sub-cell offsets, cell = h/20, every binned path
SET LOCAL minqing.kde_exact_points = 0;
SELECT ok((SELECT max(abs(g.value - 3 / (pi() * 30 ^ 2) * (1 - d2 / 900) ^ 2) / (3 / (pi() * 30 ^ 2) * (1 - d2 / 900) ^ 2)) < 0.02
           FROM (SELECT x, y FROM generate_series(0, 6) x, generate_series(0, 6) y) p,
                LATERAL (SELECT c.*, ((c.i + 0.5) * 1.5 - (p.x * 0.213 + 0.011)) ^ 2 + ((c.j + 0.5) * 1.5 - (p.y * 0.197 + 0.007)) ^ 2 AS d2
                         FROM minqing.grid_cells((SELECT minqing.kde(ST_Point(q.px, q.py), 1.5, 30)
                                                  FROM (VALUES (p.x * 0.213 + 0.011, p.y * 0.197 + 0.007)) q(px, py))) c) g
           WHERE (1 - d2 / 900) ^ 2 >= 0.05),
          'kde lattice mode, cell = h/20, 49 single points at sub-cell offsets: within 2% of the exact kernel on cells >= 5% of the maximum');
RESET minqing.kde_exact_points;
-- geographic input, cell = h/20: the degree lattice re-binned in meters
-- (kde_exact_points = 0: every point on the state's lattice; 1000: pending
-- points flushed in batches) and the kept points binned by the final function
-- (20,000 points over ~3 km), against the UTM 50N (PROJ) brute force at
-- every 97th cell
CREATE TEMP TABLE geo2 AS
SELECT k, ST_SetSRID(ST_Point(116.38 + 0.035 * ((k * 0.6180339887) % 1) * (0.6 + 0.4 * ((k * 0.381966) % 1)),
                              39.90 + 0.027 * ((k * 0.5698402910) % 1)), 4326) AS geom
FROM generate_series(1, 20000) k;
CREATE TEMP TABLE geo2_utm AS SELECT ST_Transform(geom, 32650) AS g FROM geo2;
CREATE INDEX ON geo2_utm USING gist (g);
ANALYZE geo2_utm;
CREATE TEMP TABLE geo2_grid AS SELECT 'final binning'::text AS mode, minqing.kde(geom, 25, 500) AS g FROM geo2;
SET LOCAL minqing.kde_exact_points = 0;
INSERT INTO geo2_grid SELECT 'state lattice', minqing.kde(geom, 25, 500) FROM geo2;
SET LOCAL minqing.kde_exact_points = 1000;
INSERT INTO geo2_grid SELECT 'pending flushes', minqing.kde(geom, 25, 500) FROM geo2;
RESET minqing.kde_exact_points;
-- the three grids share the projection (same points, same rounded mean)
CREATE TEMP TABLE geo2_centre AS
SELECT substring((minqing.grid_info(g)).projection FROM '\+lon_0=([-0-9.]+)')::float8 AS lon0,
       substring((minqing.grid_info(g)).projection FROM '\+lat_0=([-0-9.]+)')::float8 AS lat0
FROM geo2_grid WHERE mode = 'final binning';
CREATE TEMP TABLE geo2_ref AS
SELECT i, j, (SELECT coalesce(sum(3 / (pi() * 500 ^ 2) * (1 - ST_Distance(u.g, t.centre) ^ 2 / 500 ^ 2) ^ 2), 0)
              FROM geo2_utm u WHERE ST_DWithin(u.g, t.centre, 500)) AS e
FROM (SELECT i, j, ST_Transform(minqing.tm_unproject(ST_Point((i + 0.5) * 25, (j + 0.5) * 25), p.lon0, p.lat0), 32650) AS centre
      FROM geo2_centre p, generate_series(-110, 110) i, generate_series(-110, 110) j
      WHERE (i * 7 + j * 13) % 97 = 0 OFFSET 0) t;
SELECT ok((SELECT count(*) = 3 AND bool_and(worst < 0.02) AND min(n) > 50
           FROM (SELECT m.mode, max(abs(c.value - r.e) / r.e) AS worst, count(*) AS n
                 FROM geo2_grid m, minqing.grid_cells(m.g) c JOIN geo2_ref r USING (i, j)
                 WHERE r.e >= 0.05 * (SELECT max(e) FROM geo2_ref) GROUP BY m.mode) s),
          'kde on SRID 4326, cell = h/20: final binning, state lattice and pending flushes within 2% of the UTM brute force on sampled cells >= 5% of the maximum');

----------------------------------------------------------------------------
-- forced parallel plans on tap.orders (200,000 rows, SRID 4326)
----------------------------------------------------------------------------
SELECT ok(partial_aggregate AND parallel = serial, 'kde: Partial Aggregate under forced parallelism, same grid as serial')
FROM tap.parallel_check($$SELECT (i).cells, round((i).integral::numeric, 6) AS integral,
                                 round(((i).max_value * 1e12)::numeric, 4) AS max_e12, (i).points, (i).projection
                          FROM (SELECT minqing.grid_info(minqing.kde(geom, 200, 1000)) i FROM tap.orders) s$$);
SET LOCAL minqing.kde_exact_points = 40000;
SELECT ok(partial_aggregate AND parallel = serial, 'kde lattice mode: Partial Aggregate, same grid as serial')
FROM tap.parallel_check($$SELECT (i).cells, round((i).integral::numeric, 6) AS integral,
                                 round(((i).max_value * 1e12)::numeric, 4) AS max_e12, (i).points
                          FROM (SELECT minqing.grid_info(minqing.kde(geom, 1000, 5000)) i FROM tap.orders) s$$);
RESET minqing.kde_exact_points;
SELECT ok(partial_aggregate AND parallel = serial, 'kde_bandwidth: Partial Aggregate under forced parallelism, same answer')
FROM tap.parallel_check($$SELECT round(minqing.kde_bandwidth(geom)::numeric, 6) FROM tap.orders$$);
SELECT ok(partial_aggregate AND parallel = serial, 'kde grouped: Partial Aggregate, same grids')
FROM tap.parallel_check($$SELECT category_code, (i).cells, round((i).integral::numeric, 6)
                          FROM (SELECT category_code, minqing.grid_info(minqing.kde(geom, 500, 2000)) i
                                FROM tap.orders GROUP BY category_code) s$$);

----------------------------------------------------------------------------
-- kde_bandwidth against numpy (test/reference/density_kde.py)
----------------------------------------------------------------------------
SELECT ok((SELECT abs(minqing.kde_bandwidth(geom) - 67.4568880804367) < 1e-9 FROM a),
          'kde_bandwidth dataset A equals numpy (67.4568880804367)');
SELECT ok((SELECT abs(minqing.kde_bandwidth(ST_Point(CASE WHEN k % 10 = 0 THEN 5000.0 ELSE 0 END + ((k * 7919) % 1000) * 0.35,
                                                     CASE WHEN k % 10 = 0 THEN 3000.0 ELSE 0 END + ((k * 104729) % 997) * 0.41))
                  - 166.99409780521776) < 1e-9 FROM generate_series(1, 1000) k),
          'kde_bandwidth dataset C (median branch) equals numpy (166.99409780521776)');
SELECT ok((SELECT abs(minqing.kde_bandwidth(ST_Point(x, y)) - 13.529036156422766) < 1e-12
           FROM (VALUES (0, 0), (10, 0), (0, 20), (30, 40)) v(x, y)),
          'kde_bandwidth four points (even median) equals numpy');
-- geographic: meters, as the same rule computed in SQL on PROJ's UTM 50N
SELECT ok((WITH u AS (SELECT ST_Transform(geom, 32650) g FROM geo),
                c AS (SELECT avg(ST_X(g)) mx, avg(ST_Y(g)) my, count(*) n FROM u),
                d AS (SELECT sqrt((ST_X(g) - mx) ^ 2 + (ST_Y(g) - my) ^ 2) dist FROM u, c)
           SELECT abs((SELECT minqing.kde_bandwidth(geom) FROM geo)
                      - 0.9 * least(sqrt(avg(dist ^ 2)), sqrt(1 / ln(2)) * percentile_cont(0.5) WITHIN GROUP (ORDER BY dist))
                        * max(c.n) ^ -0.2) / (SELECT minqing.kde_bandwidth(geom) FROM geo) < 0.005
           FROM d, c),
          'kde_bandwidth on SRID 4326: meters, within 0.5% of the rule on UTM 50N (PROJ)');
SELECT ok((SELECT minqing.kde_bandwidth(geom) IS NULL FROM tap.orders WHERE false), 'kde_bandwidth empty input: NULL');

----------------------------------------------------------------------------
-- eb_rate and eb_rate_local against R spdep EBest / EBlocal(geoda = TRUE)
-- (test/reference/density_eb.R: dnearneigh(0, 65) neighbours; Marshall's
-- local C_i uses the point's own local mean m_i, as GeoDa does)
----------------------------------------------------------------------------
CREATE TEMP TABLE eb AS
SELECT k, ((k * 7) % 13)::float8 AS events, (100 + ((k * 37) % 200) * 5)::float8 AS population,
       ST_Point(((k * 17) % 31) * 10, ((k * 23) % 29) * 10) AS geom
FROM generate_series(1, 30) k;
CREATE TEMP TABLE eb_ref (k int, est float8, est_local float8);
INSERT INTO eb_ref VALUES
(1, 0.020873179595534079, 0.015201038523624375), (2, 0.0033784271864105951, 0.0025594490521152757),
(3, 0.011893338971175563, 0.010849871546890846), (4, 0.003110651731515565, 0.0028846481803608583),
(5, 0.0088535789803363338, 0.0085714285714285719), (6, 0.01285662448873193, 0.0081589291247985349),
(7, 0.022313677108322494, 0.018640778284251029), (8, 0.0072799109159306279, 0.0063348416289592761),
(9, 0.013863481377205118, 0.016867469879518072), (10, 0.0056572314382122247, 0.0056065070734677581),
(11, 0.056428459699895912, 0.081187566408438452), (12, 0.016689901975315106, 0.012760826767051286),
(13, 0.0015105934821570289, 0.00036512783196022275), (14, 0.010086151180286204, 0.011483253588516746),
(15, 0.001965932611818039, 0.0015824788451966154), (16, 0.0077181956661537647, 0.008431967410529255),
(17, 0.0085754200515446421, 0.0050723305381690474), (18, 0.018912821622751819, 0.015212407680090701),
(19, 0.0055093132594349527, 0.0044692737430167594), (20, 0.012201574754096412, 0.012500000000000001),
(21, 0.0045466175451989443, 0.0047117898264382105), (22, 0.045146094490645779, 0.058603801953356204),
(23, 0.013159262861759313, 0.011764705882352941), (24, 0.020363998309471856, 0.019903463940942646),
(25, 0.0084334832210807096, 0.0090813646671426777), (26, 0.00090104959469816844, 0.00061234144084292572),
(27, 0.0066496734620987187, 0.0082593538761144038), (28, 0.0050961849499588175, 0.0043196544276457886),
(29, 0.015938073284792065, 0.015447154471544716), (30, 0.0039053745418025608, 0.0040966320992326666);

CREATE TEMP TABLE eb_got AS
SELECT k, minqing.eb_rate(events, population) OVER () AS est,
       minqing.eb_rate_local(events, population, geom, 65) OVER () AS est_local
FROM eb;
SELECT is((SELECT count(*) FROM eb_got g JOIN eb_ref r USING (k) WHERE abs(g.est - r.est) < 1e-15), 30::bigint,
          'eb_rate equals spdep EBest on 30 areas (1e-15)');
SELECT is((SELECT count(*) FROM eb_got g JOIN eb_ref r USING (k) WHERE abs(g.est_local - r.est_local) < 1e-15), 30::bigint,
          'eb_rate_local equals spdep EBlocal(geoda = TRUE) with dnearneigh(0, 65) on 30 areas (1e-15)');
-- NULL rows get NULL and shift nothing (rows reversed, NULLs interleaved)
SELECT is((SELECT count(*) FROM
             (SELECT k, minqing.eb_rate(events, population) OVER () AS est,
                     minqing.eb_rate_local(events, population, geom, 65) OVER () AS est_local
              FROM (SELECT * FROM eb UNION ALL SELECT -k, NULL, population, geom FROM eb
                    UNION ALL SELECT -100 - k, events, 0, geom FROM eb
                    UNION ALL SELECT -200 - k, events, population, NULL FROM eb ORDER BY k DESC) s) g
           JOIN eb_ref r USING (k)
           WHERE abs(g.est - r.est) < 1e-15 AND abs(g.est_local - r.est_local) < 1e-15), 30::bigint,
          'NULL events, population 0 and (local) NULL geometry rows shift no other row');
SELECT is((SELECT count(*) FILTER (WHERE est IS NULL) FROM
             (SELECT k, minqing.eb_rate(events, population) OVER () AS est
              FROM (SELECT * FROM eb UNION ALL SELECT -k, NULL, population, geom FROM eb) s) g), 30::bigint,
          'rows with NULL events get NULL');
-- geographic distance in meters: same neighbours as on PROJ's UTM 50N
SELECT ok((SELECT bool_and(abs(a.l - b.l) < 1e-12) AND bool_and(abs(b.l - r.est_local) < 1e-15) FROM
             (SELECT k, minqing.eb_rate_local(events, population,
                        ST_Transform(ST_SetSRID(ST_Translate(ST_Scale(geom, 10, 10), 500000, 4400000), 32650), 4326), 650) OVER () l
              FROM eb) a
           JOIN (SELECT k, minqing.eb_rate_local(events, population, ST_Scale(geom, 10, 10), 650) OVER () l FROM eb) b USING (k)
           JOIN eb_ref r USING (k)),
          'eb_rate_local on SRID 4326 (distance in meters) equals the projected computation');
-- neighbour search is not quadratic: 20,000 points
SELECT ok((SELECT count(*) = 20000 AND count(l) = 20000 FROM
             (SELECT minqing.eb_rate_local((k % 5)::float8, 100 + k % 17, ST_Point((k * 0.6180339887) % 1 * 10000, (k * 0.7548776662) % 1 * 10000), 150) OVER () l
              FROM generate_series(1, 20000) k) s),
          'eb_rate_local on 20,000 points with ~14 neighbours each');

----------------------------------------------------------------------------
-- states: per-call constants, corrupted input, limits
----------------------------------------------------------------------------
SELECT throws_ok($$SELECT minqing.kde_combine(minqing.kde_trans(NULL, ST_Point(0, 0), 10, 30), minqing.kde_trans(NULL, ST_Point(0, 0), 20, 30))$$,
                 '22023', 'kde: argument cell_size must be the same on every row of the group', 'combine refuses different cell sizes');
SELECT throws_ok($$SELECT minqing.kde_combine(minqing.kde_trans(NULL, ST_Point(0, 0), 10, 30), minqing.kde_trans(NULL, ST_SetSRID(ST_Point(0, 0), 3857), 10, 30))$$,
                 '22023', NULL, 'combine refuses different SRIDs');
-- lon/lat outside its range: one check (geom.c's mq_to_local_meters) for every projecting function
SELECT throws_ok($$SELECT minqing.kde(ST_SetSRID(ST_Point(x, 30), 4326), 100, 300) FROM (VALUES (120), (200)) v(x)$$,
                 '22023', 'kde: longitude/latitude out of range for SRID 4326', 'kde refuses longitudes beyond 180');
SELECT throws_ok($$SELECT minqing.kde_bandwidth(ST_SetSRID(ST_Point(120, y), 4326)) FROM (VALUES (30), (95)) v(y)$$,
                 '22023', 'kde_bandwidth: longitude/latitude out of range for SRID 4326', 'kde_bandwidth refuses latitudes beyond 90');
SELECT throws_ok($$SELECT minqing.eb_rate_local(1, 100, ST_SetSRID(ST_Point(x, 30), 4326), 1000) OVER () FROM (VALUES (120), (-181)) v(x)$$,
                 '22023', 'eb_rate_local: longitude/latitude out of range for SRID 4326', 'eb_rate_local refuses longitudes beyond -180');
SELECT throws_ok($$SELECT minqing.kde_final(minqing.rate_trans(NULL, true))$$, '22P03', NULL, 'kde_final refuses another aggregate''s state');
SET LOCAL minqing.max_cells = 1000;
SELECT throws_ok($$SELECT minqing.kde(ST_Point(x, 0), 10, 30) FROM (VALUES (0), (100000)) v(x)$$,
                 '54000', 'the kde() grid would need 80064 cells, above minqing.max_cells = 1000', 'a grid over minqing.max_cells is refused');
RESET minqing.max_cells;
SELECT ok((SELECT count(*) FROM minqing.grid_cells(minqing.kde_final(minqing.kde_combine(
              minqing.kde_trans(NULL, ST_Point(5, 5), 10, 30), minqing.kde_trans(NULL, ST_Point(5, 5), 10, 30))))) = 25,
          'kde_combine of two one-point states: 25 cells');

SELECT * FROM finish();
ROLLBACK;
