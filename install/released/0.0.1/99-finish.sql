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
