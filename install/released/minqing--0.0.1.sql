-- minqing install script, assembled by the Makefile from install/*.sql.
-- Every SQL-language function is created with SET search_path = pg_catalog,
-- pg_temp and later pinned to (pg_catalog, <PostGIS schema>, pg_temp) by
-- install/99-finish.sql; minqing's own objects are always schema-qualified.
\echo Use "CREATE EXTENSION minqing CASCADE" to load this file. \quit

COMMENT ON SCHEMA minqing IS 'minqing: citizen-hotline (12345 / 311) work-order analytics';

----------------------------------------------------------------------------
-- Admin codes (SPEC §1): 12-digit Chinese statistical division codes
----------------------------------------------------------------------------
CREATE FUNCTION minqing.admin_level(code text) RETURNS int
	AS 'MODULE_PATHNAME', 'admin_level'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.admin_level(text) IS
	'level 1..5 (province, city, district, street, community) of a 12-digit admin code, from its trailing zeros';

CREATE FUNCTION minqing.admin_ancestor(code text, level int) RETURNS text
	AS 'MODULE_PATHNAME', 'admin_ancestor'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.admin_ancestor(text, int) IS
	'the admin code truncated to a level and zero-padded to 12 digits; NULL when the code is coarser than the level';

----------------------------------------------------------------------------
-- Configuration tables.  User rows survive pg_dump / restore
-- (pg_extension_config_dump); the shipped taxonomy rows (builtin) are
-- re-created by CREATE EXTENSION and therefore not dumped.
----------------------------------------------------------------------------
CREATE TABLE minqing.admin_unit (
	code        text PRIMARY KEY CHECK (code ~ '^[0-9]{12}$'),
	name        text NOT NULL,
	level       int NOT NULL CHECK (level BETWEEN 1 AND 5),
	parent_code text,
	population  float8 CHECK (population >= 0),
	geom        geometry(MultiPolygon, 4326),
	CHECK (level = minqing.admin_level(code)),
	CHECK (parent_code IS NULL OR parent_code ~ '^[0-9]{12}$')
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
----------------------------------------------------------------------------
-- The default bilingual taxonomy: 13 sectors, each with leaf categories
-- carrying a demand tier (1 basic … 4 quality of life).  Codes are stable
-- API: generate_city, sentiment_index and the demo refer to them.
----------------------------------------------------------------------------
INSERT INTO minqing.category (code, parent_code, name_zh, name_en, tier, sector, builtin) VALUES
	('utilities',        NULL, '公用事业', 'Public utilities',        NULL, 'utilities',        true),
	('environment',      NULL, '生态环境', 'Environment',             NULL, 'environment',      true),
	('housing',          NULL, '住房保障', 'Housing',                 NULL, 'housing',          true),
	('transport',        NULL, '交通出行', 'Transport',               NULL, 'transport',        true),
	('public_security',  NULL, '公共安全', 'Public security',         NULL, 'public_security',  true),
	('health',           NULL, '卫生健康', 'Health',                  NULL, 'health',           true),
	('education',        NULL, '教育',     'Education',               NULL, 'education',        true),
	('employment',       NULL, '就业创业', 'Employment',              NULL, 'employment',       true),
	('consumer',         NULL, '市场消费', 'Market and consumers',    NULL, 'consumer',         true),
	('culture',          NULL, '文体旅游', 'Culture, sport, tourism', NULL, 'culture',          true),
	('urban_management', NULL, '城市管理', 'Urban management',        NULL, 'urban_management', true),
	('social_services',  NULL, '社会保障', 'Social services',         NULL, 'social_services',  true),
	('government',       NULL, '政务服务', 'Government services',     NULL, 'government',       true);

INSERT INTO minqing.category (code, parent_code, name_zh, name_en, tier, sector, builtin) VALUES
	-- tier 1: basic needs
	('water_supply',         'utilities',        '供水',         'Water supply',                  1, 'utilities',        true),
	('power_supply',         'utilities',        '供电',         'Power supply',                  1, 'utilities',        true),
	('gas_supply',           'utilities',        '燃气',         'Gas supply',                    1, 'utilities',        true),
	('heating',              'utilities',        '供暖',         'Heating',                       1, 'utilities',        true),
	('drainage',             'utilities',        '排水',         'Drainage and sewers',           1, 'utilities',        true),
	('garbage',              'environment',      '垃圾清运',     'Garbage collection',            1, 'environment',      true),
	-- tier 2: essential services
	('food_safety',          'health',           '食品安全',     'Food safety',                   2, 'health',           true),
	('medical_service',      'health',           '医疗服务',     'Medical services',              2, 'health',           true),
	('public_order',         'public_security',  '社会治安',     'Public order',                  2, 'public_security',  true),
	('fire_safety',          'public_security',  '消防安全',     'Fire safety',                   2, 'public_security',  true),
	('ebike_charging',       'public_security',  '电动车充电',   'E-bike charging',               2, 'public_security',  true),
	('property_management',  'housing',          '物业管理',     'Property management',           2, 'housing',          true),
	('housing_repair',       'housing',          '房屋修缮',     'Housing repair',                2, 'housing',          true),
	('traffic_order',        'transport',        '交通秩序',     'Traffic order',                 2, 'transport',        true),
	('parking',              'transport',        '停车管理',     'Parking',                       2, 'transport',        true),
	('public_transit',       'transport',        '公交地铁',     'Public transit',                2, 'transport',        true),
	('road_maintenance',     'transport',        '道路维护',     'Road maintenance',              2, 'transport',        true),
	('illegal_construction', 'urban_management', '违法建设',     'Illegal construction',          2, 'urban_management', true),
	('street_vending',       'urban_management', '占道经营',     'Street vending',                2, 'urban_management', true),
	('social_insurance',     'social_services',  '社保医保',     'Social and health insurance',   2, 'social_services',  true),
	-- tier 3: development
	('school_enrollment',    'education',        '入学招生',     'School enrollment',             3, 'education',        true),
	('education_fees',       'education',        '教育收费',     'Education fees',                3, 'education',        true),
	('job_seeking',          'employment',       '就业服务',     'Job seeking',                   3, 'employment',       true),
	('wage_arrears',         'employment',       '欠薪',         'Wage arrears',                  3, 'employment',       true),
	('air_pollution',        'environment',      '大气污染',     'Air pollution',                 3, 'environment',      true),
	('water_pollution',      'environment',      '水污染',       'Water pollution',               3, 'environment',      true),
	('noise',                'environment',      '噪声扰民',     'Noise',                         3, 'environment',      true),
	('consumer_rights',      'consumer',         '消费维权',     'Consumer rights',               3, 'consumer',         true),
	('real_estate',          'housing',          '房产交易',     'Real-estate transactions',      3, 'housing',          true),
	('elderly_care',         'social_services',  '养老服务',     'Elderly care',                  3, 'social_services',  true),
	('government_service',   'government',       '政务办事',     'Government services',           3, 'government',       true),
	-- tier 4: quality of life
	('greening',             'environment',      '园林绿化',     'Greening and parks',            4, 'environment',      true),
	('culture_events',       'culture',          '文化活动',     'Cultural events',               4, 'culture',          true),
	('leisure',              'culture',          '休闲娱乐',     'Leisure',                       4, 'culture',          true),
	('fitness',              'culture',          '体育健身',     'Sports and fitness',            4, 'culture',          true),
	('tourism',              'culture',          '旅游服务',     'Tourism',                       4, 'culture',          true),
	('pets',                 'urban_management', '宠物管理',     'Pets',                          4, 'urban_management', true);
----------------------------------------------------------------------------
-- Chinese map-provider coordinate offsets (SPEC §1)
----------------------------------------------------------------------------
CREATE FUNCTION minqing.coord_convert(ewkb bytea, mode int) RETURNS bytea
	AS 'MODULE_PATHNAME', 'mq_coord_convert'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.coord_convert(bytea, int) IS
	'internal: rewrite the coordinates of an EWKB value (1 WGS84→GCJ02, 2 GCJ02→WGS84, 3 BD09→WGS84, 4 WGS84→BD09, 5 GCJ02→BD09, 6 BD09→GCJ02)';

-- Checks that the input is longitude/latitude, then converts via EWKB.
CREATE FUNCTION minqing.coord_convert(geom geometry, mode int) RETURNS geometry
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF ST_SRID(geom) NOT IN (0, 4326, 4490) THEN
		RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
			MESSAGE = format('coordinate offsets apply to longitude/latitude, got SRID %s', ST_SRID(geom)),
			HINT = 'Use SRID 4326 (or 4490, or 0 for unknown lon/lat); ST_Transform(geom, 4326) first.';
	END IF;
	RETURN ST_GeomFromEWKB(minqing.coord_convert(ST_AsEWKB(geom), mode));
END
$$;
COMMENT ON FUNCTION minqing.coord_convert(geometry, int) IS
	'internal: coordinate offset conversion of a lon/lat geometry (see coord_convert(bytea, int))';

CREATE FUNCTION minqing.gcj02_to_wgs84(geom geometry) RETURNS geometry
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN minqing.coord_convert(geom, 2);
COMMENT ON FUNCTION minqing.gcj02_to_wgs84(geometry) IS
	'GCJ-02 (AMap, Tencent) to WGS-84; exact inverse by iteration; identity outside China';

CREATE FUNCTION minqing.wgs84_to_gcj02(geom geometry) RETURNS geometry
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN minqing.coord_convert(geom, 1);
COMMENT ON FUNCTION minqing.wgs84_to_gcj02(geometry) IS
	'WGS-84 to GCJ-02 (AMap, Tencent); identity outside China';

CREATE FUNCTION minqing.bd09_to_wgs84(geom geometry) RETURNS geometry
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN minqing.coord_convert(geom, 3);
COMMENT ON FUNCTION minqing.bd09_to_wgs84(geometry) IS
	'BD-09 (Baidu) to WGS-84; exact inverse by iteration; identity outside China';

CREATE FUNCTION minqing.wgs84_to_bd09(geom geometry) RETURNS geometry
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN minqing.coord_convert(geom, 4);
COMMENT ON FUNCTION minqing.wgs84_to_bd09(geometry) IS
	'WGS-84 to BD-09 (Baidu); identity outside China';

CREATE FUNCTION minqing.gcj02_to_bd09(geom geometry) RETURNS geometry
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN minqing.coord_convert(geom, 5);
COMMENT ON FUNCTION minqing.gcj02_to_bd09(geometry) IS 'GCJ-02 to BD-09; identity outside China';

CREATE FUNCTION minqing.bd09_to_gcj02(geom geometry) RETURNS geometry
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN minqing.coord_convert(geom, 6);
COMMENT ON FUNCTION minqing.bd09_to_gcj02(geometry) IS 'BD-09 to GCJ-02; identity outside China';
----------------------------------------------------------------------------
-- Rates (SPEC §2): rate() with Wilson intervals, kpi()
-- Transition functions are not STRICT: they skip NULL rows themselves.
----------------------------------------------------------------------------
CREATE TYPE minqing.rate_result AS (n bigint, k bigint, p float8, lo float8, hi float8);
COMMENT ON TYPE minqing.rate_result IS
	'rate(): n non-NULL flags, k true, p = k/n, Wilson score interval [lo, hi]';

CREATE FUNCTION minqing.rate_trans(state bytea, flag boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_trans(state bytea, flag boolean, confidence float8) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_trans_conf' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'rate_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.rate_final(state bytea) RETURNS minqing.rate_result
	AS 'MODULE_PATHNAME', 'rate_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.rate_trans(bytea, boolean) IS 'transition function of rate(boolean)';
COMMENT ON FUNCTION minqing.rate_trans(bytea, boolean, float8) IS 'transition function of rate(boolean, float8)';
COMMENT ON FUNCTION minqing.rate_combine(bytea, bytea) IS 'combine function of rate()';
COMMENT ON FUNCTION minqing.rate_final(bytea) IS 'final function of rate(): Wilson score interval';

CREATE AGGREGATE minqing.rate(flag boolean) (
	SFUNC = minqing.rate_trans, STYPE = bytea,
	COMBINEFUNC = minqing.rate_combine, FINALFUNC = minqing.rate_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate(boolean) IS
	'share of true among non-NULL flags with a 95% Wilson score interval: (n, k, p, lo, hi)';

CREATE AGGREGATE minqing.rate(flag boolean, confidence float8) (
	SFUNC = minqing.rate_trans, STYPE = bytea,
	COMBINEFUNC = minqing.rate_combine, FINALFUNC = minqing.rate_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.rate(boolean, float8) IS
	'share of true among non-NULL flags with a Wilson score interval at the given confidence (0..1)';

CREATE TYPE minqing.kpi_result AS (
	orders bigint, response_rate float8, resolution_rate float8,
	satisfaction_rate float8, score float8);
COMMENT ON TYPE minqing.kpi_result IS
	'kpi(): orders, the three hotline rates and the weighted score (0..100)';

CREATE FUNCTION minqing.kpi_trans(state bytea, responded boolean, resolved boolean, satisfied boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION minqing.kpi_combine(a bytea, b bytea) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- stable because it reads setting minqing.kpi_weights
CREATE FUNCTION minqing.kpi_final(state bytea) RETURNS minqing.kpi_result
	AS 'MODULE_PATHNAME', 'kpi_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION minqing.kpi_trans(bytea, boolean, boolean, boolean) IS 'transition function of kpi()';
COMMENT ON FUNCTION minqing.kpi_combine(bytea, bytea) IS 'combine function of kpi()';
COMMENT ON FUNCTION minqing.kpi_final(bytea) IS 'final function of kpi(); reads minqing.kpi_weights';

CREATE AGGREGATE minqing.kpi(responded boolean, resolved boolean, satisfied boolean) (
	SFUNC = minqing.kpi_trans, STYPE = bytea,
	COMBINEFUNC = minqing.kpi_combine, FINALFUNC = minqing.kpi_final,
	PARALLEL = SAFE);
COMMENT ON AGGREGATE minqing.kpi(boolean, boolean, boolean) IS
	'orders, response/resolution/satisfaction rates (each over its non-NULL flags) and score = 100 × weighted mean (minqing.kpi_weights)';
----------------------------------------------------------------------------
-- Pin the search_path of every minqing SQL / PL/pgSQL function to
-- (pg_catalog, <schema of PostGIS>, pg_temp).  They are declared with
-- pg_catalog, pg_temp; PostGIS may live in any schema, which is only known
-- now (PostgreSQL 16's @extschema:postgis@ does the same thing).
----------------------------------------------------------------------------
DO $finish$
DECLARE
	postgis_schema name := (SELECT n.nspname FROM pg_catalog.pg_extension e
	                        JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
	                        WHERE e.extname = 'postgis');
	f regprocedure;
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
		WHERE p.pronamespace = 'minqing'::regnamespace
		  AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp']
	LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', f, postgis_schema);
	END LOOP;
END
$finish$;
