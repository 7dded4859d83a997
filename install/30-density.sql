----------------------------------------------------------------------------
-- Density (SPEC §3): kde() -> density_grid, grid_cells(), grid_info(),
-- kde_bandwidth(); Empirical Bayes rates (SPEC §2): eb_rate(), eb_rate_local()
-- Transition functions are not STRICT: they skip NULL rows themselves.
----------------------------------------------------------------------------
CREATE TYPE minqing.density_grid;

CREATE FUNCTION minqing.density_grid_in(cstring) RETURNS minqing.density_grid
	AS 'MODULE_PATHNAME', 'density_grid_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.density_grid_out(minqing.density_grid) RETURNS cstring
	AS 'MODULE_PATHNAME', 'density_grid_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.density_grid_recv(internal) RETURNS minqing.density_grid
	AS 'MODULE_PATHNAME', 'density_grid_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION minqing.density_grid_send(minqing.density_grid) RETURNS bytea
	AS 'MODULE_PATHNAME', 'density_grid_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE minqing.density_grid (
	INPUT = minqing.density_grid_in, OUTPUT = minqing.density_grid_out,
	RECEIVE = minqing.density_grid_recv, SEND = minqing.density_grid_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
COMMENT ON TYPE minqing.density_grid IS
	'a computed kernel density grid: SRID, cell size, bandwidth, projection (geographic input) and the non-zero cells; text form is a JSON object';
COMMENT ON FUNCTION minqing.density_grid_in(cstring) IS 'text input of density_grid (the JSON object density_grid_out writes)';
COMMENT ON FUNCTION minqing.density_grid_out(minqing.density_grid) IS 'text output of density_grid: a JSON object';
COMMENT ON FUNCTION minqing.density_grid_recv(internal) IS 'binary input of density_grid';
COMMENT ON FUNCTION minqing.density_grid_send(minqing.density_grid) IS 'binary output of density_grid';

CREATE FUNCTION minqing.kde_trans(state bytea, geom geometry, cell_size float8, bandwidth float8) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kde_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kde_trans(state bytea, geom geometry, cell_size float8, bandwidth float8, weight float8) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kde_trans_weighted' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kde_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kde_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- stable because it reads setting minqing.max_cells
CREATE FUNCTION minqing.kde_final(state bytea) RETURNS minqing.density_grid
	AS 'MODULE_PATHNAME', 'kde_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.kde_trans(bytea, geometry, float8, float8) IS
	'transition function of kde(): linear binning onto a fine sparse lattice';
COMMENT ON FUNCTION minqing.kde_trans(bytea, geometry, float8, float8, float8) IS
	'transition function of kde() with weights: linear binning onto a fine sparse lattice';
COMMENT ON FUNCTION minqing.kde_combine(bytea, bytea) IS 'combine function of kde(): merges partial lattices';
COMMENT ON FUNCTION minqing.kde_final(bytea) IS
	'final function of kde(): quartic-kernel convolution onto the cell centres; refuses grids above minqing.max_cells';

CREATE AGGREGATE minqing.kde(geom geometry, cell_size float8, bandwidth float8) (
	SFUNC = minqing.kde_trans, STYPE = bytea,
	COMBINEFUNC = minqing.kde_combine, FINALFUNC = minqing.kde_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kde(geometry, float8, float8) IS
	'quartic kernel density of points on a square grid (cells as ST_SquareGrid numbers them); events per square CRS unit, per square meter for geographic input (cell_size and bandwidth in meters)';

CREATE AGGREGATE minqing.kde(geom geometry, cell_size float8, bandwidth float8, weight float8) (
	SFUNC = minqing.kde_trans, STYPE = bytea,
	COMBINEFUNC = minqing.kde_combine, FINALFUNC = minqing.kde_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kde(geometry, float8, float8, float8) IS
	'weighted quartic kernel density of points on a square grid; weights finite and non-negative';

CREATE FUNCTION minqing.grid_cells_ewkb(grid minqing.density_grid,
	OUT i int, OUT j int, OUT value float8, OUT ewkb bytea) RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'grid_cells_ewkb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.grid_cells_ewkb(minqing.density_grid) IS
	'helper of grid_cells(): non-zero cells with their polygons as EWKB';

CREATE FUNCTION minqing.grid_cells(grid minqing.density_grid)
	RETURNS TABLE (i int, j int, geom geometry, value float8)
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$ SELECT c.i, c.j, ST_GeomFromEWKB(c.ewkb), c.value FROM minqing.grid_cells_ewkb(grid) c $$;
COMMENT ON FUNCTION minqing.grid_cells(minqing.density_grid) IS
	'one row per cell with value > 0: cell numbers (as ST_SquareGrid), cell polygon in the input SRID, density';

CREATE TYPE minqing.grid_info_result AS (
	srid int, cell_size float8, bandwidth float8, projection text, points bigint,
	weight float8, cells int, max_value float8, integral float8, weighted boolean);
COMMENT ON TYPE minqing.grid_info_result IS
	'grid_info(): SRID, cell size, bandwidth, PROJ string of the local metric grid (NULL when projected), points, total weight, non-zero cells, largest value, sum of value × cell area, weighted';

CREATE FUNCTION minqing.grid_info(grid minqing.density_grid) RETURNS minqing.grid_info_result
	AS 'MODULE_PATHNAME', 'grid_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.grid_info(minqing.density_grid) IS
	'header and summary of a density grid: srid, cell_size, bandwidth, projection, points, weight, cells, max_value, integral, weighted';

CREATE FUNCTION minqing.kde_bandwidth_trans(state bytea, geom geometry) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kde_bandwidth_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kde_bandwidth_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kde_bandwidth_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kde_bandwidth_final(state bytea) RETURNS float8
	AS 'MODULE_PATHNAME', 'kde_bandwidth_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.kde_bandwidth_trans(bytea, geometry) IS 'transition function of kde_bandwidth(): keeps the points';
COMMENT ON FUNCTION minqing.kde_bandwidth_combine(bytea, bytea) IS 'combine function of kde_bandwidth()';
COMMENT ON FUNCTION minqing.kde_bandwidth_final(bytea) IS 'final function of kde_bandwidth(): spatial Silverman rule';

CREATE AGGREGATE minqing.kde_bandwidth(geom geometry) (
	SFUNC = minqing.kde_bandwidth_trans, STYPE = bytea,
	COMBINEFUNC = minqing.kde_bandwidth_combine, FINALFUNC = minqing.kde_bandwidth_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kde_bandwidth(geometry) IS
	'ArcGIS default KDE search radius 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2); CRS units, meters for geographic input; NULL when empty or 0';

CREATE FUNCTION minqing.eb_rate(events float8, population float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'eb_rate' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.eb_rate(float8, float8) IS
	'window function: global Empirical Bayes rate (Marshall 1991) over the partition; NULL for rows with NULL events or population <= 0 / NULL';

CREATE FUNCTION minqing.eb_rate_local(events float8, population float8, geom geometry, distance float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'eb_rate_local' LANGUAGE C IMMUTABLE WINDOW PARALLEL SAFE;
COMMENT ON FUNCTION minqing.eb_rate_local(float8, float8, geometry, float8) IS
	'window function: local (spatial) Empirical Bayes rate (Marshall 1991, as GeoDa and spdep EBlocal(geoda = TRUE)) over the points within distance, the point itself included; meters for geographic input';
