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

----------------------------------------------------------------------------
-- Statistics over admin units (SPEC §12): the same window functions with
-- polygon contiguity ('queen' / 'rook', as R spdep poly2nb) in place of a
-- distance band, and the global Moran's I
----------------------------------------------------------------------------
CREATE TYPE minqing.moran_result AS (i float8, expected float8, variance float8, z float8, p float8);
COMMENT ON TYPE minqing.moran_result IS
	'moran(): global Moran''s I, its expectation -1/(n-1) and variance under randomisation, z and one-sided (greater) normal p, as R spdep moran.test(randomisation = TRUE)';

CREATE FUNCTION minqing.moran(value float8, geom geometry, distance float8)
	RETURNS minqing.moran_result
	AS 'MODULE_PATHNAME', 'moran'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.moran(float8, geometry, float8) IS
	'window: global Moran''s I of the partition (the same on every row), row-standardised distance-band weights (d <= distance, self excluded; meters for lon/lat) = spdep moran.test(x, nb2listw(dnearneigh(...), style = "W"), randomisation = TRUE); units without neighbours are left out of n (zero.policy, adjust.n)';

CREATE FUNCTION minqing.moran(value float8, geom geometry, contiguity text)
	RETURNS minqing.moran_result
	AS 'MODULE_PATHNAME', 'moran_contiguity'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.moran(float8, geometry, text) IS
	'window: global Moran''s I of polygons with queen or rook contiguity (spdep poly2nb), row-standardised = spdep moran.test(x, nb2listw(poly2nb(pl, queen), style = "W"), randomisation = TRUE); units without neighbours are left out of n (zero.policy, adjust.n)';

CREATE FUNCTION minqing.gi_star(value float8, geom geometry, contiguity text) RETURNS float8
	AS 'MODULE_PATHNAME', 'gi_star_contiguity'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.gi_star(float8, geometry, text) IS
	'window: Getis-Ord Gi* z-score of each polygon with queen or rook contiguity neighbours plus itself, binary weights = spdep localG(x, nb2listw(include.self(poly2nb(pl, queen)), style = "B")); NULL for a unit without neighbours';

CREATE FUNCTION minqing.hotspot(value float8, geom geometry, contiguity text, fdr boolean DEFAULT true)
	RETURNS minqing.hotspot_result
	AS 'MODULE_PATHNAME', 'hotspot_contiguity'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.hotspot(float8, geometry, text, boolean) IS
	'window: hot/cold spot bins of polygons from contiguity Gi* (queen or rook), Benjamini–Hochberg at 90/95/99% when fdr; NULL for a unit without neighbours';

CREATE FUNCTION minqing.local_moran(value float8, geom geometry, contiguity text)
	RETURNS minqing.local_moran_result
	AS 'MODULE_PATHNAME', 'local_moran_contiguity'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.local_moran(float8, geometry, text) IS
	'window: local Moran''s I of polygons with row-standardised queen or rook contiguity weights = spdep localmoran(x, nb2listw(poly2nb(pl, queen), style = "W")) (i on GeoDa''s scale); NULL for a unit without neighbours';

CREATE FUNCTION minqing.contiguity_neighbors(id bigint, geom geometry, contiguity text) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'contiguity_neighbors'
	LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.contiguity_neighbors(bigint, geometry, text) IS
	'window: the ids of each polygon''s queen or rook contiguity neighbours in its partition, ascending, as R spdep poly2nb (vertices within sqrt(DBL_EPSILON) CRS units); an empty array marks an island (ids below 2^53)';
