-- minqing install script, assembled by the Makefile from install/*.sql.
-- Every SQL-language function is created with SET search_path = pg_catalog,
-- pg_temp and later pinned to (pg_catalog, <PostGIS schema>, pg_temp) by
-- install/99-finish.sql; minqing's own objects are always schema-qualified.
\echo Use "CREATE EXTENSION minqing CASCADE" to load this file. \quit

COMMENT ON SCHEMA minqing IS 'minqing: citizen-hotline (12345 / 311) work-order analytics';

----------------------------------------------------------------------------
-- Admin codes (SPEC §1, §13): 12-digit Chinese statistical division codes
-- and 15-digit grid codes (a community's 12 digits + a serial 001-999)
----------------------------------------------------------------------------
CREATE FUNCTION minqing.admin_level(code text) RETURNS int
	AS 'MODULE_PATHNAME', 'admin_level'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.admin_level(text) IS
	'level 1..6 (province, city, district, street, community, grid) of an admin code: 1..5 from the trailing zeros of a 12-digit code, 6 for a 15-digit grid code (community code + serial 001-999)';

CREATE FUNCTION minqing.admin_ancestor(code text, level int) RETURNS text
	AS 'MODULE_PATHNAME', 'admin_ancestor'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.admin_ancestor(text, int) IS
	'the admin code truncated to a level 1..5 and zero-padded to 12 digits, or the grid code itself for level 6; NULL when the code is coarser than the level';

----------------------------------------------------------------------------
-- Configuration tables.  User rows survive pg_dump / restore
-- (pg_extension_config_dump); the shipped taxonomy rows (builtin) are
-- re-created by CREATE EXTENSION and therefore not dumped.
----------------------------------------------------------------------------
CREATE TABLE minqing.admin_unit (
	code        text PRIMARY KEY CHECK (code ~ '^[0-9]{12}([0-9]{3})?$'),
	name        text NOT NULL,
	level       int NOT NULL CHECK (level BETWEEN 1 AND 6),
	parent_code text,
	population  float8 CHECK (population >= 0),
	geom        geometry(MultiPolygon, 4326),
	CHECK (level = minqing.admin_level(code)),
	CHECK (parent_code IS NULL OR parent_code ~ '^[0-9]{12}([0-9]{3})?$')
);
COMMENT ON TABLE minqing.admin_unit IS
	'administrative units (district, street, community, grid …) with names, populations and boundaries; user rows are kept by pg_dump';
SELECT pg_catalog.pg_extension_config_dump('minqing.admin_unit', '');

CREATE TABLE minqing.category (
	code        text PRIMARY KEY,
	parent_code text REFERENCES minqing.category (code) DEFERRABLE INITIALLY DEFERRED,
	name_zh     text NOT NULL,
	name_en     text NOT NULL,
	tier        int CHECK (tier BETWEEN 1 AND 4),
	sector      text,
	builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE minqing.category IS
	'work-order category taxonomy: bilingual names, demand tier (1 basic … 4 quality of life) and sector; rows with builtin = false are yours and are kept by pg_dump';
COMMENT ON COLUMN minqing.category.tier IS
	'demand tier: 1 basic (water, power, gas, heating, garbage), 2 essential (food safety, security, property, traffic), 3 development (education, employment, environment, consumer rights), 4 quality of life (greening, culture, leisure, fitness, tourism); NULL for grouping rows';
COMMENT ON COLUMN minqing.category.builtin IS
	'true for the rows shipped with minqing (re-created by CREATE EXTENSION, not dumped)';
SELECT pg_catalog.pg_extension_config_dump('minqing.category', 'WHERE NOT builtin');
