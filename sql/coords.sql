-- coordinate offsets and the local projection (tagged g1..)
-- Tiananmen (WGS-84) -> GCJ-02: the offset is a few hundred meters
SELECT 'g1', round(ST_X(g)::numeric, 6), round(ST_Y(g)::numeric, 6),
       round(ST_DistanceSphere(g, 'SRID=4326;POINT(116.391 39.907)'::geometry)::numeric, 0) AS offset_m
FROM (SELECT minqing.wgs84_to_gcj02('SRID=4326;POINT(116.391 39.907)'::geometry) g) s;
-- round trips inside China, within 1e-6 degrees (SPEC), over a grid of points
SELECT 'g2', max(greatest(abs(ST_X(r) - lon), abs(ST_Y(r) - lat))) < 1e-9 AS gcj_round_trip
FROM (SELECT lon, lat, minqing.gcj02_to_wgs84(minqing.wgs84_to_gcj02(ST_SetSRID(ST_Point(lon, lat), 4326))) r
      FROM generate_series(75.0, 135.0, 2.5) lon, generate_series(18.0, 53.0, 2.5) lat) s;
SELECT 'g3', max(greatest(abs(ST_X(r) - lon), abs(ST_Y(r) - lat))) < 1e-9 AS bd_round_trip
FROM (SELECT lon, lat, minqing.bd09_to_wgs84(minqing.wgs84_to_bd09(ST_SetSRID(ST_Point(lon, lat), 4326))) r
      FROM generate_series(75.0, 135.0, 2.5) lon, generate_series(18.0, 53.0, 2.5) lat) s;
SELECT 'g4', max(greatest(abs(ST_X(r) - lon), abs(ST_Y(r) - lat))) < 1e-9 AS bd_gcj_round_trip
FROM (SELECT lon, lat, minqing.bd09_to_gcj02(minqing.gcj02_to_bd09(ST_SetSRID(ST_Point(lon, lat), 4326))) r
      FROM generate_series(75.0, 135.0, 5) lon, generate_series(18.0, 53.0, 5) lat) s;
-- BD-09 = GCJ-02 + Baidu offset
SELECT 'g5', ST_Equals(minqing.wgs84_to_bd09(p), minqing.gcj02_to_bd09(minqing.wgs84_to_gcj02(p)))
FROM (SELECT 'SRID=4326;POINT(121.4737 31.2304)'::geometry p) s;
-- outside China: identity
SELECT 'g6', ST_AsText(minqing.wgs84_to_gcj02('SRID=4326;POINT(-71.06 42.36)'::geometry)),
       ST_AsText(minqing.bd09_to_wgs84('SRID=4326;POINT(2.35 48.85)'::geometry));
-- every geometry type, SRID kept, Z kept
SELECT 'g7', GeometryType(g), ST_SRID(g), ST_NPoints(g), ST_Z(ST_PointN(ST_ExteriorRing(ST_GeometryN(g, 1)), 1))
FROM (SELECT minqing.gcj02_to_wgs84('SRID=4490;MULTIPOLYGON Z(((116 39 5,117 39 5,117 40 5,116 39 5)))'::geometry) g) s;
SELECT 'g8', GeometryType(minqing.wgs84_to_gcj02('GEOMETRYCOLLECTION(POINT(116 39),LINESTRING(116 39,117 40),POINT EMPTY)'::geometry)),
       ST_IsEmpty(minqing.wgs84_to_gcj02('POINT EMPTY'::geometry)),
       minqing.wgs84_to_gcj02(NULL) IS NULL;
-- errors: projected SRIDs are refused
SELECT 'e1', minqing.gcj02_to_wgs84('SRID=3857;POINT(12958000 4852000)'::geometry);
-- local transverse Mercator agrees with PROJ (via PostGIS ST_Transform) to a millimetre at 100-200 km
SELECT 'p1', max(ST_Distance(minqing.tm_project(p, 116.4, 39.9),
                 ST_Transform(p, '+proj=tmerc +lat_0=39.9 +lon_0=116.4 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs'))) < 0.001
FROM (SELECT ST_SetSRID(ST_Point(116.4 + dx, 39.9 + dy), 4326) p
      FROM generate_series(-2.0, 2.0, 0.5) dx, generate_series(-1.5, 1.5, 0.5) dy) s;
SELECT 'p2', max(ST_Distance(minqing.tm_unproject(minqing.tm_project(p, 121.5, 31.2), 121.5, 31.2), p)) < 1e-10
FROM (SELECT ST_SetSRID(ST_Point(121.5 + dx, 31.2 + dy), 4326) p
      FROM generate_series(-2.0, 2.0, 0.5) dx, generate_series(-1.5, 1.5, 0.5) dy) s;
-- a 100 km east-west distance in the projection vs the ellipsoidal geodesic: within 0.05%
SELECT 'p3', abs(ST_Distance(minqing.tm_project(a, 116.4, 39.9), minqing.tm_project(b, 116.4, 39.9))
                 / ST_Distance(a::geography, b::geography) - 1) < 5e-4
FROM (SELECT 'SRID=4326;POINT(115.8 40.5)'::geometry a, 'SRID=4326;POINT(117.0 40.5)'::geometry b) s;
SELECT 'e2', minqing.tm_project('SRID=4326;LINESTRING(1 1,2 2)'::geometry, 0, 0);
SELECT 'e3', minqing.tm_project('SRID=4326;POINT(1 1)'::geometry, 'NaN', 0);
SELECT 'e4', minqing.tm_project('SRID=4326;POINT(1 1)'::geometry, 0, 90);
