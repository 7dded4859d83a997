-- pgTAP: contiguity statistics and layers on the generated city's communities
-- (SPEC §12): the neighbour graph is symmetric, the global Moran's I equals the
-- same statistic written in SQL over contiguity_neighbors(), and the planted
-- hotspot communities stand out.
BEGIN;
SELECT plan(5);

SELECT minqing.generate_city('layers_city', 20000, 42) > 0 AS generated \gset
CREATE TEMP TABLE lc AS
SELECT a.code, row_number() OVER (ORDER BY a.code) AS id, a.geom,
       coalesce(o.n, 0)::float8 / a.population * 1e4 AS rate
FROM layers_city.admin_unit a
LEFT JOIN (SELECT minqing.admin_ancestor(unit_code, 5) AS unit_code, count(*) AS n FROM layers_city.work_order GROUP BY 1) o
       ON o.unit_code = a.code
WHERE a.level = 5;
CREATE TEMP TABLE lc_nb AS
SELECT id, rate, minqing.contiguity_neighbors(id, geom, 'queen') OVER () AS nb FROM lc;

SELECT is((SELECT count(*) FROM lc_nb a, unnest(a.nb) j JOIN lc_nb b ON b.id = j WHERE NOT a.id = ANY (b.nb)), 0::bigint,
          'contiguity_neighbors(): the queen graph of the communities is symmetric');
SELECT ok((SELECT min(cardinality(nb)) >= 3 AND max(cardinality(nb)) <= 8 FROM lc_nb),
          'contiguity_neighbors(): every community of the lattice city has 3 to 8 queen neighbours');

-- moran.test's I, E and randomisation variance written out in SQL
WITH z AS (SELECT id, rate - avg(rate) OVER () AS z, nb, cardinality(nb) AS c FROM lc_nb),
w AS (SELECT a.id AS i, j, 1.0 / a.c AS wij FROM z a, unnest(a.nb) j),
s AS (SELECT (SELECT count(*) FROM z)::float8 AS n, (SELECT sum(z * z) FROM z) AS zz, (SELECT sum(z ^ 4) FROM z) AS z4,
             (SELECT sum(w.wij * zi.z * zj.z) FROM w JOIN z zi ON zi.id = w.i JOIN z zj ON zj.id = w.j) AS cross_,
             (SELECT 0.5 * sum((w.wij + w2.wij) ^ 2) FROM w JOIN w w2 ON w2.i = w.j AND w2.j = w.i) AS s1,
             (SELECT sum((1 + coalesce(cs, 0)) ^ 2) FROM z LEFT JOIN (SELECT j, sum(wij) AS cs FROM w GROUP BY j) c ON c.j = z.id) AS s2),
ref AS (SELECT cross_ / zz AS i, -1 / (n - 1) AS e,
               (n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * n * n) - (n * z4 / (zz * zz)) * ((n * n - n) * s1 - 2 * n * s2 + 6 * n * n))
               / ((n - 1) * (n - 2) * (n - 3) * n * n) - 1 / ((n - 1) * (n - 1)) AS v
        FROM s)
SELECT ok(abs((m).i - ref.i) < 1e-12 AND abs((m).expected - ref.e) < 1e-15 AND abs((m).variance - ref.v) < 1e-12,
          'moran(): equals moran.test''s I, E[I] and Var(I) written in SQL over the contiguity lists')
FROM ref, (SELECT minqing.moran(rate, geom, 'queen') OVER () AS m FROM lc LIMIT 1) x;

-- the planted hotspots raise their own community above its surroundings
CREATE TEMP TABLE lc_stats AS
SELECT code, minqing.gi_star(rate, geom, 'queen') OVER () AS g, minqing.local_moran(rate, geom, 'queen') OVER () AS lm FROM lc;
SELECT ok(bool_and(g > 0), 'gi_star(contiguity): every planted hotspot community has a positive Gi*')
FROM lc_stats s JOIN layers_city.planted p ON s.code = ANY (p.unit_codes) WHERE p.kind = 'hotspot';
SELECT ok(bool_and((lm).quadrant IN ('HH', 'HL')), 'local_moran(contiguity): every planted hotspot community is high (HH or HL)')
FROM lc_stats s JOIN layers_city.planted p ON s.code = ANY (p.unit_codes) WHERE p.kind = 'hotspot';

SELECT * FROM finish();
ROLLBACK;
