-- Vector tiles (install/80-tiles.sql): the function layers return MVT bytea,
-- non-empty over the data and empty far away; bad addresses are refused.
-- The data: 400 orders on a 20 x 20 lattice (step 0.001 deg) in Beijing plus a
-- cluster of 200 at one point; tile 14/13489/6208 covers them.
SET client_min_messages = warning;
CREATE TABLE tiles_wo (id bigint, created_at timestamptz, category_code text, unit_code text,
                       geom geometry(Point, 4326), responded boolean, resolved boolean, satisfied boolean);
INSERT INTO tiles_wo
SELECT g, timestamptz '2024-01-01 00:00+00' + g * interval '1 hour', 'water', '110101001001',
       ST_SetSRID(ST_MakePoint(116.39 + (g % 20) * 0.001, 39.90 + (g / 20) * 0.001), 4326), true, g % 2 = 0, NULL
FROM generate_series(0, 399) g
UNION ALL
SELECT 1000 + g, timestamptz '2024-02-01 00:00+00', 'noise', '110101001002',
       ST_SetSRID(ST_MakePoint(116.3955, 39.9055), 4326), true, true, true
FROM generate_series(1, 200) g;
INSERT INTO tiles_wo (id) VALUES (9999);          -- no geometry: ignored
SELECT 'x1', floor((116.3955 + 180) / 360 * 16384) AS x,
       floor((1 - ln(tan(radians(39.9055)) + 1 / cos(radians(39.9055))) / pi()) / 2 * 16384) AS y;
-- tiles over the data decode to non-empty bytea carrying their layer name
SELECT 'x2', length(t) > 100 AS non_empty, position('orders'::bytea IN t) > 0 AS layer
FROM minqing.tile_orders(14, 13489, 6208, 'tiles_wo') t;
SELECT 'x3', length(t) > 100 AS non_empty, position('density'::bytea IN t) > 0 AS layer
FROM minqing.tile_density(14, 13489, 6208, 'tiles_wo') t;
SELECT 'x4', length(t) > 100 AS non_empty, position('hotspot'::bytea IN t) > 0 AS layer
FROM minqing.tile_hotspot(14, 13489, 6208, 'tiles_wo') t;
-- a parent tile covers the data too; max_points caps the points
SELECT 'x5', length(minqing.tile_orders(10, 843, 388, 'tiles_wo')) > 0 AS parent,
       length(minqing.tile_orders(14, 13489, 6208, 'tiles_wo', 10)) < length(minqing.tile_orders(14, 13489, 6208, 'tiles_wo')) AS capped;
-- far away (0/0 at zoom 14 is the Bering Sea): empty tiles, not NULL
SELECT 'x6', minqing.tile_orders(14, 0, 0, 'tiles_wo') = ''::bytea AS orders_empty,
       minqing.tile_density(14, 0, 0, 'tiles_wo') = ''::bytea AS density_empty,
       minqing.tile_hotspot(14, 0, 0, 'tiles_wo') = ''::bytea AS hotspot_empty;
-- the Martin wrappers give the same tiles
SELECT 'x7', minqing.mvt_density(14, 13489, 6208, '{"source": "tiles_wo"}') = minqing.tile_density(14, 13489, 6208, 'tiles_wo') AS density,
       minqing.mvt_hotspot(14, 13489, 6208, '{"source": "tiles_wo", "cells": 16}') = minqing.tile_hotspot(14, 13489, 6208, 'tiles_wo', 16) AS hotspot,
       minqing.mvt_orders(14, 13489, 6208, '{"source": "tiles_wo"}') = minqing.tile_orders(14, 13489, 6208, 'tiles_wo') AS orders;
-- an empty source and a whole-world tile
CREATE TABLE tiles_empty (LIKE tiles_wo);
SELECT 'x8', minqing.tile_density(3, 6, 3, 'tiles_empty') = ''::bytea AS empty_source,
       length(minqing.tile_density(0, 0, 0, 'tiles_wo')) > 0 AS world,
       minqing.tile_orders(NULL, 0, 0, 'tiles_wo') IS NULL AS null_in;
-- bad input
SELECT 'x9', minqing.tile_density(14, 16384, 0, 'tiles_wo');
SELECT 'x10', minqing.tile_density(-1, 0, 0, 'tiles_wo');
SELECT 'x11', minqing.tile_density(14, 0, 0, 'no_such_table');
SELECT 'x12', minqing.tile_density(14, 0, 0, 'pg_class');
SELECT 'x13', minqing.tile_density(14, 0, 0, 'tiles_wo', 0);
SELECT 'x14', minqing.tile_density(14, 0, 0, 'tiles_wo', 64, 'NaN');
SELECT 'x15', minqing.tile_hotspot(14, 0, 0, 'tiles_wo', 32, 0.5);
SELECT 'x16', minqing.tile_orders(14, 0, 0, 'tiles_wo', -1);
CREATE TABLE tiles_nosrid (geom geometry);
INSERT INTO tiles_nosrid VALUES ('POINT(1 2)');
SELECT 'x17', minqing.tile_orders(1, 0, 0, 'tiles_nosrid');
DROP TABLE tiles_wo, tiles_empty, tiles_nosrid;
