----------------------------------------------------------------------------
-- The synthetic city (SPEC §1): minqing.generate_city and its C helpers
-- (src/generate.c).  Same seed, same rows, on any machine.
----------------------------------------------------------------------------
CREATE FUNCTION minqing.generate_city_units(
	OUT code text, OUT name text, OUT level int, OUT parent_code text, OUT population float8,
	OUT xmin float8, OUT ymin float8, OUT xmax float8, OUT ymax float8)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'generate_city_units'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3000;
COMMENT ON FUNCTION minqing.generate_city_units() IS
	'the admin units of the synthetic city (city, 8 districts, 48 streets, 432 communities, and 4 to 9 grids per community, level 6) with their rectangles in SRID 4326';

CREATE FUNCTION minqing.generate_city_orders(orders bigint, seed int, first bigint, count bigint,
	OUT id bigint, OUT created_at timestamptz, OUT category_code text, OUT unit_code text,
	OUT geom geometry, OUT responded boolean, OUT resolved boolean, OUT satisfied boolean,
	OUT closed_at timestamptz, OUT caller_id text, OUT department text, OUT channel text, OUT content text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'generate_city_orders'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 16384;
COMMENT ON FUNCTION minqing.generate_city_orders(bigint, int, bigint, bigint) IS
	'orders first+1 .. first+count of a synthetic city of `orders` orders (canonical work-order columns and the complaint text); row i depends only on (orders, seed, i)';
CREATE FUNCTION minqing.generate_city_orders(orders bigint, seed int, first bigint, count bigint, events boolean,
	OUT id bigint, OUT created_at timestamptz, OUT category_code text, OUT unit_code text,
	OUT geom geometry, OUT responded boolean, OUT resolved boolean, OUT satisfied boolean,
	OUT closed_at timestamptz, OUT caller_id text, OUT department text, OUT channel text, OUT content text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'generate_city_orders'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 16384;
COMMENT ON FUNCTION minqing.generate_city_orders(bigint, int, bigint, bigint, boolean) IS
	'orders first+1 .. first+count of a synthetic city; events = false: the calm city (no surge, storm, policy effect or time-limited hotspot)';

CREATE FUNCTION minqing.generate_city_planted(orders bigint,
	OUT id int, OUT kind text, OUT label text, OUT unit_codes text[], OUT category_code text,
	OUT start_date date, OUT end_date date, OUT effect float8, OUT geom_wkt text,
	OUT radius_m float8, OUT details text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'generate_city_planted'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
COMMENT ON FUNCTION minqing.generate_city_planted(bigint) IS
	'the ground truth planted in a synthetic city of `orders` orders (hotspots, surge, policy, storm, bad streets, small community)';
CREATE FUNCTION minqing.generate_city_planted(orders bigint, events boolean,
	OUT id int, OUT kind text, OUT label text, OUT unit_codes text[], OUT category_code text,
	OUT start_date date, OUT end_date date, OUT effect float8, OUT geom_wkt text,
	OUT radius_m float8, OUT details text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'generate_city_planted'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 12;
COMMENT ON FUNCTION minqing.generate_city_planted(bigint, boolean) IS
	'the ground truth of a synthetic city; events = false: the calm city''s (hotspots of all days, bad streets, small community)';

CREATE FUNCTION minqing.generate_city(target_schema text, orders int DEFAULT 1000000, seed int DEFAULT 42,
		events boolean DEFAULT true)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $generate_city$
DECLARE
	chunk  constant bigint := 16384;  -- rows per C call: its tuplestore stays within the default work_mem
	n      bigint;
	clash  text;
BEGIN
	IF target_schema IS NULL OR orders IS NULL OR seed IS NULL THEN
		RAISE EXCEPTION 'generate_city arguments must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Call minqing.generate_city(''demo'', 1000000, 42): a schema name, a number of orders and a seed.';
	END IF;
	IF orders <= 0 OR orders > 100000000 THEN
		RAISE EXCEPTION 'orders must be between 1 and 100000000'
			USING ERRCODE = CASE WHEN orders <= 0 THEN 'invalid_parameter_value' ELSE 'program_limit_exceeded' END,
			      DETAIL = pg_catalog.format('Got %s.', orders),
			      HINT = 'A megacity''s hotline takes 10 to 20 million orders a year; 1000000 is a good demo size.';
	END IF;
	IF target_schema = '' OR pg_catalog.octet_length(target_schema) > 63 THEN
		RAISE EXCEPTION 'invalid schema name "%"', target_schema
			USING ERRCODE = 'invalid_name',
			      HINT = 'Use a non-empty name of at most 63 bytes; it is used as is (quoted), not case-folded.';
	END IF;
	IF target_schema IN ('minqing', 'information_schema') OR target_schema LIKE 'pg\_%' THEN
		RAISE EXCEPTION 'cannot generate a city in schema "%"', target_schema
			USING ERRCODE = 'reserved_name',
			      HINT = 'Choose a schema of your own, e.g. ''demo''.';
	END IF;
	SELECT pg_catalog.string_agg(c.relname, ', ' ORDER BY c.relname) INTO clash
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
	WHERE s.nspname = target_schema AND c.relname IN ('admin_unit', 'work_order', 'planted');
	IF clash IS NOT NULL THEN
		RAISE EXCEPTION 'schema "%" already has %', target_schema, clash
			USING ERRCODE = 'duplicate_table',
			      HINT = pg_catalog.format('Drop them first (DROP SCHEMA %I CASCADE) or choose another schema.', target_schema);
	END IF;

	EXECUTE pg_catalog.format('CREATE SCHEMA IF NOT EXISTS %I', target_schema);

	EXECUTE pg_catalog.format($q$
		CREATE TABLE %1$I.admin_unit (
			code        text PRIMARY KEY,
			name        text NOT NULL,
			level       int NOT NULL,
			parent_code text,
			population  float8,
			geom        geometry(MultiPolygon, 4326))$q$, target_schema);
	EXECUTE pg_catalog.format($q$
		INSERT INTO %1$I.admin_unit
		SELECT u.code, u.name, u.level, u.parent_code, u.population,
		       ST_Multi(ST_MakeEnvelope(u.xmin, u.ymin, u.xmax, u.ymax, 4326))
		FROM minqing.generate_city_units() u$q$, target_schema);

	-- CREATE TABLE AS (not INSERT): bulk-insert path, about twice as fast
	EXECUTE pg_catalog.format($q$
		CREATE TABLE %1$I.work_order AS
		SELECT o.id, o.created_at, o.category_code, o.unit_code,
		       o.geom::geometry(Point, 4326) AS geom,
		       o.responded, o.resolved, o.satisfied, o.closed_at, o.caller_id, o.department, o.channel, o.content
		FROM pg_catalog.generate_series(0, (%2$s - 1) / %3$s) c,
		     LATERAL minqing.generate_city_orders(%2$s, %4$s, c * %3$s, LEAST(%3$s, %2$s - c * %3$s), %5$L) o$q$,
		target_schema, orders, chunk, seed, COALESCE(events, true));
	GET DIAGNOSTICS n = ROW_COUNT;

	EXECUTE pg_catalog.format($q$
		CREATE TABLE %1$I.planted (
			id            int PRIMARY KEY,
			kind          text NOT NULL,
			label         text NOT NULL,
			unit_codes    text[] NOT NULL,
			category_code text,
			start_date    date,
			end_date      date,
			effect        float8,
			geom          geometry(Geometry, 4326),
			radius_m      float8,
			details       jsonb)$q$, target_schema);
	EXECUTE pg_catalog.format($q$
		INSERT INTO %1$I.planted
		SELECT p.id, p.kind, p.label, p.unit_codes, p.category_code, p.start_date, p.end_date, p.effect,
		       COALESCE(ST_GeomFromText(p.geom_wkt, 4326),
		                (SELECT ST_Multi(ST_Union(a.geom)) FROM %1$I.admin_unit a WHERE a.code = ANY (p.unit_codes))),
		       p.radius_m, p.details::jsonb
		FROM minqing.generate_city_planted(%2$s, %3$L) p$q$, target_schema, orders, COALESCE(events, true));

	-- Tables of other features' phenomena go here (src/generate.h, "Adding a
	-- phenomenon"): each from a C SRF of the feature, drawing from its own
	-- random stream, so admin_unit, work_order and planted above never change.

	EXECUTE pg_catalog.format('ALTER TABLE %I.work_order ADD PRIMARY KEY (id)', target_schema);
	EXECUTE pg_catalog.format('CREATE INDEX ON %I.work_order (created_at)', target_schema);
	EXECUTE pg_catalog.format('CREATE INDEX ON %I.work_order (unit_code)', target_schema);
	EXECUTE pg_catalog.format('CREATE INDEX ON %I.admin_unit USING gist (geom)', target_schema);
	EXECUTE pg_catalog.format('ANALYZE %I.admin_unit', target_schema);
	EXECUTE pg_catalog.format('ANALYZE %I.work_order', target_schema);
	EXECUTE pg_catalog.format('ANALYZE %I.planted', target_schema);

	EXECUTE pg_catalog.format('COMMENT ON TABLE %I.admin_unit IS %L', target_schema,
		'synthetic city 明清市 Mingqing: city, 8 districts, 48 streets, 432 communities and their grids (level 6; orders carry grid codes) (minqing.generate_city)');
	EXECUTE pg_catalog.format('COMMENT ON TABLE %I.work_order IS %L', target_schema,
		pg_catalog.format('synthetic work orders 2024-01-01 .. 2025-12-31 (minqing.generate_city, %s orders, seed %s%s)', orders, seed,
			CASE WHEN events THEN '' ELSE ', no planted events' END));
	EXECUTE pg_catalog.format('COMMENT ON TABLE %I.planted IS %L', target_schema,
		'ground truth planted by minqing.generate_city: hotspots, surge, policy (+ control), storm, bad streets, small community, a grid-level problem');
	RETURN n;
END
$generate_city$;
COMMENT ON FUNCTION minqing.generate_city(text, int, int, boolean) IS
	'create a synthetic city (admin_unit, work_order, planted) in a schema; returns the number of orders; same seed, same rows; events = false: the same city without its planted events (no e-bike surge, storm, parking policy or 2024 construction site), for measuring false alarms';
