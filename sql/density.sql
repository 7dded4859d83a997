-- density: kde(), grid_cells(), grid_info(), kde_bandwidth(), eb_rate(),
-- eb_rate_local() — hand-checkable examples, NULLs, errors (tagged k1.., b1..,
-- e1.., x1..).  Reference comparisons live in test/pgtap/density.sql.
SET extra_float_digits = 0;

-- k1: one point at a cell centre (5, 5) with s = 10, h = 30.  The centre
-- cell holds 3/(π h²) = 0.00106103295394597; its neighbour at d = 10 holds
-- 3/(π h²)·(1 − 1/9)²; the centres within 30 are the 25 offsets (a, b)·10
-- with a² + b² < 9.
SELECT 'k1', (g).cells, abs((g).max_value - 3 / (pi() * 900)) < 1e-15 AS centre_is_3_over_pi_h2,
       (g).points, (g).weight, (g).srid, (g).projection IS NULL AS projected
FROM (SELECT minqing.grid_info(minqing.kde(ST_Point(5, 5), 10, 30)) g) s;
SELECT 'k2', i, j, abs(value - 3 / (pi() * 900) * (1 - 1 / 9.0) ^ 2) < 1e-15 AS neighbour_ok
FROM minqing.grid_cells((SELECT minqing.kde(ST_Point(5, 5), 10, 30))) WHERE (i, j) IN ((1, 0), (0, -1));
-- k3: the whole grid of the one-point example, value × π h² / 3 = (1 − d²/h²)²
SELECT 'k3', j, string_agg(round((value * pi() * 900 / 3)::numeric, 4)::text, ' ' ORDER BY i) AS row_values
FROM minqing.grid_cells((SELECT minqing.kde(ST_Point(5, 5), 10, 30))) GROUP BY j ORDER BY j;
-- k4: cells are numbered and shaped as ST_SquareGrid numbers them
SELECT 'k4', count(*) AS cells, bool_and(ST_Equals(c.geom, q.geom)) AS same_polygons
FROM minqing.grid_cells((SELECT minqing.kde(geom, 10, 25) FROM (VALUES (ST_Point(3, 4)), (ST_Point(-17, 12))) v(geom))) c
JOIN ST_SquareGrid(10, ST_MakeEnvelope(-60, -40, 40, 50)) q ON (q.i, q.j) = (c.i, c.j);
-- k5: the SRID of the input carries into the grid and its polygons
SELECT 'k5', (minqing.grid_info(g)).srid, (SELECT min(ST_SRID(geom)) FROM minqing.grid_cells(g))
FROM (SELECT minqing.kde(ST_SetSRID(ST_Point(500000, 4000000), 32650), 100, 300) g) s;
-- k6: weights scale the density; identical points add up; the integral is
-- the total weight (cells small against the bandwidth)
SELECT 'k6', abs((minqing.grid_info(minqing.kde(ST_Point(5, 5), 10, 30, 2.5))).max_value - 2.5 * 3 / (pi() * 900)) < 1e-15 AS weighted,
       abs((SELECT (minqing.grid_info(minqing.kde(ST_Point(5, 5), 10, 30))).max_value
            FROM generate_series(1, 3)) - 3 * 3 / (pi() * 900)) < 1e-15 AS identical_points,
       round((SELECT (minqing.grid_info(minqing.kde(ST_Point(x, 0), 1, 40))).integral
              FROM generate_series(0, 9) x)::numeric, 3) AS integral_10_points;
-- k7: NULL rows and POINT EMPTY are skipped; empty input gives NULL
SELECT 'k7', (minqing.grid_info(minqing.kde(g, 10, 30))).points
FROM (VALUES (ST_Point(5, 5)), (NULL), ('POINT EMPTY'::geometry)) v(g);
SELECT 'k8', minqing.kde(g, 10, 30) IS NULL AS empty_is_null FROM (VALUES (ST_Point(5, 5))) v(g) WHERE false;
SELECT 'k9', minqing.kde(g, 10, 30) IS NULL AS all_null_is_null FROM (VALUES (NULL::geometry), (NULL)) v(g);
SELECT 'k10', (minqing.grid_info(minqing.kde(g, 10, 30, w))).points
FROM (VALUES (ST_Point(5, 5), 1.0), (ST_Point(6, 6), NULL), (NULL, 2.0)) v(g, w);
SELECT 'k11', (SELECT count(*) FROM minqing.grid_cells(NULL)) AS no_cells_for_null;
-- k12: zero weights give a grid without cells
SELECT 'k12', (minqing.grid_info(minqing.kde(ST_Point(5, 5), 10, 30, 0))).cells;
-- k13: the text form round-trips exactly
SELECT 'k13', g::text = g::text::minqing.density_grid::text AS round_trip, left(g::text, 110)
FROM (SELECT minqing.kde(ST_Point(5, 5), 10, 30) g) s;
SELECT 'k14', minqing.grid_info('{"version": 1, "srid": 0, "cell_size": 10, "bandwidth": 30, "cells": [[0, 0, 0.5], [1, 0, 0.25]]}');
-- k15: geographic input: meters, a documented local transverse Mercator
-- centred on the point (a cell corner): the 4 nearest centres are at
-- d = 25√2, (1 − 1250/90000)² = 0.9724;
-- polygons back in lon/lat
SELECT 'k15', (i).srid, (i).projection, (i).points,
       round(((i).max_value * pi() * 300 ^ 2 / 3)::numeric, 4) AS centre_density_times_pi_h2_over_3
FROM (SELECT minqing.grid_info(minqing.kde(ST_SetSRID(ST_Point(116.4, 39.9), 4326), 50, 300)) i) s;
SELECT 'k16', count(*) AS cells, min(ST_SRID(geom)) AS srid,
       round(min(ST_Area(geom::geography))::numeric, 0) AS min_cell_m2, round(max(ST_Area(geom::geography))::numeric, 0) AS max_cell_m2
FROM minqing.grid_cells((SELECT minqing.kde(ST_SetSRID(ST_Point(116.4, 39.9), 4326), 50, 300)));
-- k17: the lattice mode (above minqing.kde_exact_points) agrees with the exact mode to 1%
SET minqing.kde_exact_points = 0;
SELECT 'k17', abs((minqing.grid_info(minqing.kde(ST_Point(5, 5), 10, 30))).max_value - 3 / (pi() * 900)) < 1e-15 AS centre_exact_on_a_node,
       (SELECT max(abs(a.value - b.value) / b.value) < 0.01
        FROM minqing.grid_cells((SELECT minqing.kde(ST_Point(x * 7.3, x * 3.1), 10, 30) FROM generate_series(0, 20) x)) a
        JOIN (SELECT * FROM minqing.grid_cells((SELECT minqing.kde(ST_Point(x * 7.3, x * 3.1), 10, 30) FROM generate_series(0, 20) x))) b USING (i, j)) AS self_check;
RESET minqing.kde_exact_points;

-- b1: kde_bandwidth, four points: mean centre (10, 15); SD = √(1500/4);
-- distances 18.03, 15, 11.18, 32.02, median 16.51; numpy gives 13.529036156422766
SELECT 'b1', round(minqing.kde_bandwidth(ST_Point(x, y))::numeric, 12)
FROM (VALUES (0, 0), (10, 0), (0, 20), (30, 40)) v(x, y);
-- b2: one row, identical points, empty, all NULL: NULL (a zero radius is no radius)
SELECT 'b2', minqing.kde_bandwidth(ST_Point(1, 2)) IS NULL AS one_row,
       (SELECT minqing.kde_bandwidth(ST_Point(1, 2)) IS NULL FROM generate_series(1, 5)) AS identical,
       (SELECT minqing.kde_bandwidth(g) IS NULL FROM (VALUES (NULL::geometry)) v(g)) AS all_null,
       (SELECT minqing.kde_bandwidth(g) IS NULL FROM (VALUES (ST_Point(0, 0))) v(g) WHERE false) AS empty;
SELECT 'b3', round(minqing.kde_bandwidth(g)::numeric, 12) AS nulls_and_empty_skipped
FROM (VALUES (ST_Point(0, 0)), (NULL), (ST_Point(10, 0)), ('POINT EMPTY'), (ST_Point(0, 20)), (ST_Point(30, 40))) v(g);

-- x1: eb_rate, hand-checkable: O = (1, 5, 0), P = (100, 200, 50):
-- b = 6/350; s² = Σ P (r − b)² / ΣP = 0.000120816...; b/(ΣP/n) = 0.000146939 > s², so a = 0
-- and every EB rate is b = 0.017142857142857
SELECT 'x1', o, p, round(minqing.eb_rate(o, p) OVER ()::numeric, 15)
FROM (VALUES (1, 100), (5, 200), (0, 50)) v(o, p);
-- x2: rows with NULL events or population <= 0 / NULL get NULL and take no part
SELECT 'x2', id, round(minqing.eb_rate(o, p) OVER ()::numeric, 15)
FROM (VALUES (1, 1, 100), (2, 5, 200), (3, 0, 50), (4, NULL, 10), (5, 3, 0), (6, 2, NULL), (7, 4, -5)) v(id, o, p) ORDER BY id;
-- x3: a > 0: strong heterogeneity shrinks small areas more
SELECT 'x3', id, o, p, round((o / p)::numeric, 6) AS raw, round(minqing.eb_rate(o, p) OVER ()::numeric, 6) AS eb
FROM (VALUES (1, 2.0, 10.0), (2, 50, 1000), (3, 300, 2000), (4, 1, 500), (5, 0, 20)) v(id, o, p) ORDER BY id;
-- x4: partitions are independent; empty partition none; all-zero events give 0
SELECT 'x4', g, o, p, minqing.eb_rate(o, p) OVER (PARTITION BY g)
FROM (VALUES ('a', 0, 10), ('a', 0, 20), ('b', 1, 10)) v(g, o, p) ORDER BY g, p;
-- x5: eb_rate_local: every point sees all others (distance large) = eb_rate
SELECT 'x5', bool_and(abs(l - e) < 1e-15)
FROM (SELECT minqing.eb_rate_local(o, p, ST_Point(id, 0), 1000) OVER () l, minqing.eb_rate(o, p) OVER () e
      FROM (VALUES (1, 2.0, 10.0), (2, 50, 1000), (3, 300, 2000), (4, 1, 500), (5, 0, 20)) v(id, o, p)) s;
-- x6: an isolated point keeps its raw rate; NULL geometry -> NULL
SELECT 'x6', id, round(minqing.eb_rate_local(o, p, g, 5) OVER ()::numeric, 6)
FROM (VALUES (1, 2.0, 10.0, ST_Point(0, 0)), (2, 50, 1000, ST_Point(100, 0)), (3, 300, 2000, ST_Point(103, 0)),
             (4, 1, 500, NULL)) v(id, o, p, g) ORDER BY id;

-- errors
SELECT 'e1', minqing.kde(ST_Point(0, 0), 0, 30);
SELECT 'e2', minqing.kde(ST_Point(0, 0), 10, -1);
SELECT 'e3', minqing.kde(ST_Point(0, 0), 'NaN', 30);
SELECT 'e4', minqing.kde(ST_Point(0, 0), 10, 'Infinity');
SELECT 'e5', minqing.kde(ST_Point('NaN', 0), 10, 30);
SELECT 'e6', minqing.kde(ST_Point(0, 0), 1e-6, 1000);
SELECT 'e7', minqing.kde(ST_Point(x, x), 1, 10) FROM (VALUES (0), (1e6)) v(x);
SELECT 'e8', minqing.kde(g, 10, 30) FROM (VALUES (ST_SetSRID(ST_Point(0, 0), 4326)), (ST_SetSRID(ST_Point(0, 0), 3857))) v(g);
SELECT 'e9', minqing.kde('LINESTRING(0 0, 1 1)'::geometry, 10, 30);
SELECT 'e10', minqing.kde(ST_Point(0, 0), s, 30) FROM (VALUES (10), (20)) v(s);
SELECT 'e11', minqing.kde(ST_Point(0, 0), 10, 30, -1);
SELECT 'e12', minqing.kde(ST_Point(0, 0), 10, 30, 'NaN');
SELECT 'e13', minqing.kde_bandwidth(g) FROM (VALUES (ST_SetSRID(ST_Point(0, 0), 4326)), (ST_SetSRID(ST_Point(0, 0), 4490))) v(g);
SELECT 'e14', minqing.kde_bandwidth('POLYGON((0 0, 1 0, 1 1, 0 0))'::geometry);
SELECT 'e15', minqing.eb_rate(o, p) OVER () FROM (VALUES (-1, 10)) v(o, p);
SELECT 'e16', minqing.eb_rate(o, p) OVER () FROM (VALUES ('NaN'::float8, 10)) v(o, p);
SELECT 'e17', minqing.eb_rate(o, p) OVER () FROM (VALUES (1, 'Infinity'::float8)) v(o, p);
SELECT 'e18', minqing.eb_rate_local(1, 10, ST_Point(0, 0), 0) OVER ();
SELECT 'e19', minqing.eb_rate_local(1, 10, ST_Point(0, 0), d) OVER () FROM (VALUES (5), (6)) v(d);
SELECT 'e20', minqing.eb_rate_local(1, 10, g, 5) OVER () FROM (VALUES (ST_SetSRID(ST_Point(0, 0), 4326)), (ST_Point(0, 0))) v(g);
SELECT 'e21', '{"version": 2, "cells": []}'::minqing.density_grid;
SELECT 'e22', '{"version": 1, "srid": 0, "cell_size": 10, "bandwidth": 30, "cells": [[0, 0, -1]]}'::minqing.density_grid;
SELECT 'e23', 'not a grid'::minqing.density_grid;
SET minqing.max_cells = 100;
SELECT 'e24', minqing.kde(ST_Point(0, 0), 10, 100);
RESET minqing.max_cells;
SELECT 'e25', minqing.kde_final('\x0001'::bytea);
SELECT 'e26', minqing.kde_combine(minqing.kde_trans(NULL, ST_Point(0, 0), 10, 30), minqing.kde_trans(NULL, ST_Point(0, 0), 10, 40));
