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
