----------------------------------------------------------------------------
-- Vector tiles (issue 9): function layers for pg_tileserv and Martin.
-- Every layer is a function (z integer, x integer, y integer, ...) that
-- returns one Mapbox Vector Tile (ST_AsMVT bytea) in Web Mercator tile
-- coordinates (ST_TileEnvelope), read from any table or view with the
-- canonical work-order columns (only geom, and the attributes a layer
-- shows, are used).  The extra parameters all have defaults, so
-- pg_tileserv publishes them as function layers with URL parameters;
-- Martin publishes only (z, x, y) or (z, x, y, query_params json)
-- signatures, hence the *_json wrappers.
-- PARALLEL RESTRICTED: the source may be a temporary table.
----------------------------------------------------------------------------

-- Checks the tile address and the source and returns the SRID of its
-- geometries (NULL when it has none, which gives an empty tile).
CREATE FUNCTION minqing.tile_check(z integer, x integer, y integer, source text) RETURNS integer
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rel regclass;
	srid integer;
BEGIN
	IF z < 0 OR z > 30 OR x < 0 OR y < 0 OR x >= (2::float8 ^ z) OR y >= (2::float8 ^ z) THEN
		RAISE EXCEPTION 'invalid tile coordinates %/%/%', z, x, y
			USING ERRCODE = 'invalid_parameter_value',
			      DETAIL = 'z must be 0..30 and x, y must be 0..2^z - 1.',
			      HINT = 'Tile addresses are the XYZ (slippy map) scheme of pg_tileserv and Martin.';
	END IF;
	rel := source::regclass;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
	               WHERE a.attrelid = rel AND a.attname = 'geom' AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RAISE EXCEPTION 'source % has no column geom', rel
			USING ERRCODE = 'undefined_column',
			      HINT = 'Pass a table or view with the canonical work-order columns (geom geometry(Point)).';
	END IF;
	EXECUTE pg_catalog.format('SELECT ST_SRID(geom) FROM %s WHERE geom IS NOT NULL LIMIT 1', rel) INTO srid;
	IF srid = 0 THEN
		RAISE EXCEPTION 'source % has geometries without an SRID', rel
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'Set one with ST_SetSRID; tiles are cut in Web Mercator (EPSG:3857).';
	END IF;
	RETURN srid;
END
$fn$;
COMMENT ON FUNCTION minqing.tile_check(integer, integer, integer, text) IS
	'internal: validates a tile address and a tile source, returns the SRID of the source geometries (NULL when empty)';

CREATE FUNCTION minqing.tile_orders(z integer, x integer, y integer,
                                    source text DEFAULT 'public.work_order',
                                    max_points integer DEFAULT 20000) RETURNS bytea
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	srid integer := minqing.tile_check(z, x, y, source);
	env geometry := ST_TileEnvelope(z, x, y);
	tile bytea;
BEGIN
	IF max_points < 0 THEN
		RAISE EXCEPTION 'max_points must not be negative'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the largest number of points one tile may carry.';
	END IF;
	IF srid IS NULL THEN
		RETURN ''::bytea;
	END IF;
	EXECUTE pg_catalog.format($q$
		SELECT ST_AsMVT(t, 'orders', 4096, 'geom')
		FROM (SELECT o.id, o.category_code, o.unit_code, o.created_at::text AS created_at,
		             o.responded, o.resolved, o.satisfied,
		             ST_AsMVTGeom(ST_Transform(o.geom, 3857), $1, 4096, 64, true) AS geom
		      FROM %s o
		      WHERE o.geom && ST_Transform($1, $2)
		        AND ST_Intersects(ST_Transform(o.geom, 3857), $1)
		      LIMIT $3) t$q$, source::regclass)
	INTO tile USING env, srid, max_points;
	RETURN coalesce(tile, ''::bytea);
END
$fn$;
COMMENT ON FUNCTION minqing.tile_orders(integer, integer, integer, text, integer) IS
	'vector tile (layer "orders") of the work orders of a source table as points with id, category_code, unit_code, created_at and the three outcomes; at most max_points per tile';

-- Per-cell counts of a tile's neighbourhood: cells of side s Web Mercator
-- metres, numbered as ST_SquareGrid does (cell i covers [i s, (i+1) s)),
-- over the tile grown by margin metres.  Internal helper of the layers.
CREATE FUNCTION minqing.tile_counts(env geometry, srid integer, source text, s float8, margin float8)
	RETURNS TABLE (i integer, j integer, orders bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT floor(ST_X(p) / $3)::integer, floor(ST_Y(p) / $3)::integer, count(*)
		FROM (SELECT ST_Transform(o.geom, 3857) AS p
		      FROM %s o
		      WHERE o.geom && ST_Transform(ST_Expand($1, $4), $2)) q
		WHERE ST_Intersects(p, ST_Expand($1, $4))
		GROUP BY 1, 2$q$, source::regclass)
	USING env, srid, s, margin;
END
$fn$;
COMMENT ON FUNCTION minqing.tile_counts(geometry, integer, text, float8, float8) IS
	'internal: work orders per Web Mercator grid cell of side s around a tile envelope (grown by margin)';

CREATE FUNCTION minqing.tile_density(z integer, x integer, y integer,
                                     source text DEFAULT 'public.work_order',
                                     cells integer DEFAULT 64,
                                     bandwidth_cells float8 DEFAULT 3) RETURNS bytea
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	srid integer := minqing.tile_check(z, x, y, source);
	env geometry := ST_TileEnvelope(z, x, y);
	s float8;
	h float8;
	tile bytea;
BEGIN
	IF cells < 1 OR cells > 1024 THEN
		RAISE EXCEPTION 'cells must be between 1 and 1024'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', cells),
			      HINT = 'cells is the number of grid cells along a tile side; 64 gives 64 x 64 cells.';
	END IF;
	IF bandwidth_cells IS NULL OR NOT (bandwidth_cells > 0 AND bandwidth_cells <= 64) THEN
		RAISE EXCEPTION 'bandwidth_cells must be positive and at most 64'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', bandwidth_cells),
			      HINT = 'The KDE bandwidth is bandwidth_cells grid cells.';
	END IF;
	IF srid IS NULL THEN
		RETURN ''::bytea;
	END IF;
	s := (ST_XMax(env) - ST_XMin(env)) / cells;
	h := bandwidth_cells * s;
	-- quartic KDE (minqing.kde) of the points within a bandwidth of the tile;
	-- density per square kilometre of ground (Mercator area / sec^2(lat))
	EXECUTE pg_catalog.format($q$
		SELECT ST_AsMVT(t, 'density', 4096, 'geom')
		FROM (SELECT c.i, c.j,
		             c.value * 1e6 / cosd(ST_Y(ST_Transform(ST_Centroid(c.geom), 4326))) ^ 2 AS density,
		             ST_AsMVTGeom(c.geom, $1, 4096, 0, true) AS geom
		      FROM (SELECT minqing.kde(ST_Transform(o.geom, 3857), $3, $4) AS g
		            FROM %s o
		            WHERE o.geom && ST_Transform(ST_Expand($1, $4), $2)) k,
		           minqing.grid_cells(k.g) c
		      WHERE k.g IS NOT NULL AND c.geom && $1 AND ST_Intersects(ST_Centroid(c.geom), $1)) t$q$,
		source::regclass)
	INTO tile USING env, srid, s, h;
	RETURN coalesce(tile, ''::bytea);
END
$fn$;
COMMENT ON FUNCTION minqing.tile_density(integer, integer, integer, text, integer, float8) IS
	'vector tile (layer "density") of a quartic KDE density grid (orders per km²; cells x cells per tile, bandwidth bandwidth_cells cells) of a work-order source';

CREATE FUNCTION minqing.tile_hotspot(z integer, x integer, y integer,
                                     source text DEFAULT 'public.work_order',
                                     cells integer DEFAULT 32,
                                     distance_cells float8 DEFAULT 1.5) RETURNS bytea
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	srid integer := minqing.tile_check(z, x, y, source);
	env geometry := ST_TileEnvelope(z, x, y);
	s float8;
	d float8;
	tile bytea;
BEGIN
	IF cells < 1 OR cells > 256 THEN
		RAISE EXCEPTION 'cells must be between 1 and 256'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', cells),
			      HINT = 'cells is the number of grid cells along a tile side; 32 gives 32 x 32 cells.';
	END IF;
	IF distance_cells IS NULL OR NOT (distance_cells >= 1 AND distance_cells <= 16) THEN
		RAISE EXCEPTION 'distance_cells must be between 1 and 16'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = pg_catalog.format('Got %s.', distance_cells),
			      HINT = 'Neighbours are the cells whose centres lie within distance_cells cell sides; 1.5 means the 8 around.';
	END IF;
	IF srid IS NULL THEN
		RETURN ''::bytea;
	END IF;
	s := (ST_XMax(env) - ST_XMin(env)) / cells;
	d := distance_cells * s;
	-- the features of Getis-Ord Gi* are the cells with at least one order
	-- in the tile and a band of 4 neighbourhoods around it
	SELECT ST_AsMVT(t, 'hotspot', 4096, 'geom') INTO tile
	FROM (SELECT q.i, q.j, q.orders, (q.h).z, (q.h).p, (q.h).bin,
	             ST_AsMVTGeom(ST_MakeEnvelope(q.i * s, q.j * s, (q.i + 1) * s, (q.j + 1) * s, 3857), env, 4096, 0, true) AS geom
	      FROM (SELECT c.i, c.j, c.orders,
	                   minqing.hotspot(c.orders::float8,
	                                   ST_SetSRID(ST_MakePoint((c.i + 0.5) * s, (c.j + 0.5) * s), 3857), d * (1 + 1e-9))
	                       OVER () AS h
	            FROM minqing.tile_counts(env, srid, source, s, 4 * d) c) q
	      WHERE (q.i + 0.5) * s BETWEEN ST_XMin(env) AND ST_XMax(env)
	        AND (q.j + 0.5) * s BETWEEN ST_YMin(env) AND ST_YMax(env)) t;
	RETURN coalesce(tile, ''::bytea);
END
$fn$;
COMMENT ON FUNCTION minqing.tile_hotspot(integer, integer, integer, text, integer, float8) IS
	'vector tile (layer "hotspot") of Getis-Ord Gi* hot and cold spots of work orders per grid cell (cells x cells per tile, neighbours within distance_cells): i, j, orders, z, p, bin (-3..3)';

-- Martin publishes function sources with exactly (z, x, y) or
-- (z, x, y, query_params json); these wrappers read the optional
-- parameters from the URL query string.
CREATE FUNCTION minqing.mvt_orders(z integer, x integer, y integer, query_params json) RETURNS bytea
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
RETURN minqing.tile_orders(z, x, y, coalesce(query_params ->> 'source', 'public.work_order'),
                           coalesce((query_params ->> 'max_points')::integer, 20000));
COMMENT ON FUNCTION minqing.mvt_orders(integer, integer, integer, json) IS
	'Martin function source: tile_orders with source / max_points read from the URL query parameters';

CREATE FUNCTION minqing.mvt_density(z integer, x integer, y integer, query_params json) RETURNS bytea
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
RETURN minqing.tile_density(z, x, y, coalesce(query_params ->> 'source', 'public.work_order'),
                            coalesce((query_params ->> 'cells')::integer, 64),
                            coalesce((query_params ->> 'bandwidth_cells')::float8, 3));
COMMENT ON FUNCTION minqing.mvt_density(integer, integer, integer, json) IS
	'Martin function source: tile_density with source / cells / bandwidth_cells read from the URL query parameters';

CREATE FUNCTION minqing.mvt_hotspot(z integer, x integer, y integer, query_params json) RETURNS bytea
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	SET search_path = pg_catalog, pg_temp
RETURN minqing.tile_hotspot(z, x, y, coalesce(query_params ->> 'source', 'public.work_order'),
                            coalesce((query_params ->> 'cells')::integer, 32),
                            coalesce((query_params ->> 'distance_cells')::float8, 1.5));
COMMENT ON FUNCTION minqing.mvt_hotspot(integer, integer, integer, json) IS
	'Martin function source: tile_hotspot with source / cells / distance_cells read from the URL query parameters';
