----------------------------------------------------------------------------
-- Hotspots (SPEC §3): Getis-Ord Gi*, ArcGIS-style hot/cold spot bins with
-- Benjamini–Hochberg FDR, local Moran's I.  C window functions in the
-- ST_ClusterDBSCAN style (src/hotspot.c, neighbour index src/neighbors.c).
-- Window functions cannot be STRICT: NULL rows get NULL results in C.
-- Distances: CRS units, or meters for geographic (lon/lat) SRIDs.
----------------------------------------------------------------------------
CREATE TYPE minqing.hotspot_result AS (z float8, p float8, bin int);
COMMENT ON TYPE minqing.hotspot_result IS
	'hotspot(): Gi* z-score, two-sided normal p, Gi_Bin -3..3 (±3/±2/±1 = 99/95/90% confidence hot/cold spot)';

CREATE TYPE minqing.local_moran_result AS (i float8, z float8, p float8, quadrant text);
COMMENT ON TYPE minqing.local_moran_result IS
	'local_moran(): local Moran''s I (GeoDa scale), analytical z, p, quadrant HH/LH/LL/HL (own deviation, then the neighbours'' mean)';

CREATE FUNCTION minqing.gi_star(value float8, geom geometry, distance float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'gi_star'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.gi_star(float8, geometry, float8) IS
	'window: Getis-Ord Gi* z-score of each point over its partition, binary weights for points within distance (self included); meters for lon/lat';

CREATE FUNCTION minqing.hotspot(value float8, geom geometry, distance float8, fdr boolean DEFAULT true)
	RETURNS minqing.hotspot_result
	AS 'MODULE_PATHNAME', 'hotspot'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.hotspot(float8, geometry, float8, boolean) IS
	'window: hot/cold spots as ArcGIS Optimized Hot Spot Analysis: (z, p, bin); bin from Benjamini–Hochberg adjusted p at 90/95/99% when fdr';

CREATE FUNCTION minqing.local_moran(value float8, geom geometry, distance float8)
	RETURNS minqing.local_moran_result
	AS 'MODULE_PATHNAME', 'local_moran'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.local_moran(float8, geometry, float8) IS
	'window: local Moran''s I (LISA), row-standardised distance-band weights; analytical conditional-randomisation z and p as R spdep >= 1.2';

CREATE FUNCTION minqing.local_moran(value float8, geom geometry, distance float8, permutations int, seed int)
	RETURNS minqing.local_moran_result
	AS 'MODULE_PATHNAME', 'local_moran_perm'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.local_moran(float8, geometry, float8, int, int) IS
	'window: local Moran''s I with p the seeded conditional permutation pseudo p-value (min(M, R-M)+1)/(R+1)';
