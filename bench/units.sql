-- bench/units.sql: 10,000 polygons (a 100 x 100 lattice of hexagons, ST_HexagonGrid,
-- 6 neighbours each) through the contiguity forms vs the self-join a DBA writes.
-- Run: psql -f bench/units.sql (needs minqing and PostGIS; prints timings with \timing)
DROP TABLE IF EXISTS bench_units;
CREATE TABLE bench_units AS
SELECT row_number() OVER () AS id, h.geom, (abs(hashint8(row_number() OVER ())) % 1000) / 10.0 AS value
FROM ST_HexagonGrid(100, ST_MakeEnvelope(0, 0, 17320, 15000, 3857)) h
LIMIT 10000;
CREATE INDEX ON bench_units USING gist (geom);
ANALYZE bench_units;
SELECT count(*) AS polygons FROM bench_units;
\timing on
-- count(*) floor
SELECT count(*) FROM bench_units;
-- the DBA's queen neighbour list: ST_Touches self-join through the GiST index
SELECT count(*) FROM bench_units a JOIN bench_units b ON a.id <> b.id AND ST_Touches(a.geom, b.geom);
-- the DBA's ST_Intersects variant
SELECT count(*) FROM bench_units a JOIN bench_units b ON a.id <> b.id AND ST_Intersects(a.geom, b.geom);
-- minqing: the neighbour lists, the global Moran's I, local Gi* and local Moran
SELECT sum(cardinality(nb)) FROM (SELECT minqing.contiguity_neighbors(id, geom, 'queen') OVER () AS nb FROM bench_units) s;
SELECT (m).i FROM (SELECT minqing.moran(value, geom, 'queen') OVER () AS m FROM bench_units) s LIMIT 1;
SELECT count(g) FROM (SELECT minqing.gi_star(value, geom, 'rook') OVER () AS g FROM bench_units) s;
SELECT count(l) FROM (SELECT minqing.local_moran(value, geom, 'queen') OVER () AS l FROM bench_units) s;
\timing off
