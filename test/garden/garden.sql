-- The garden (after PostGIS's "garden" tests): every function, aggregate and
-- window function in schema minqing, found in pg_proc at test time, called
-- with NULLs, empty input, one row, identical points, NaN, ±Infinity, zero and
-- negative sizes, mixed SRIDs, unexpected geometry types and huge requests.
-- test/shell/garden.sh loads this file into a scratch database, lists the
-- calls with garden.calls() and runs each through garden.try().
SET client_min_messages = warning;
CREATE SCHEMA garden;

-- a small table with the canonical columns for functions taking a regclass
CREATE TABLE garden.orders AS
SELECT i::bigint AS id,
       timestamptz '2024-01-01 00:00+00' + (i || ' hours')::interval AS created_at,
       (ARRAY['heating', 'noise', 'parking'])[1 + i % 3] AS category_code,
       '1101050010' || lpad((1 + i % 5)::text, 2, '0') AS unit_code,
       ST_SetSRID(ST_MakePoint(116.40 + (i % 7) * 0.001, 39.90 + (i % 11) * 0.001), 4326) AS geom,
       i % 2 = 0 AS responded, i % 3 = 0 AS resolved, i % 5 <> 0 AS satisfied,
       timestamptz '2024-01-02 00:00+00' + (i || ' hours')::interval AS closed_at,
       'c' || i % 17 AS caller_id, 'd' || i % 3 AS department, 'phone' AS channel
FROM generate_series(1, 200) i;

-- Candidate values of one argument: the first row is the baseline (a sensible
-- value), the others are the garden's bad and edge values.  Each value is an
-- SQL expression of exactly the argument's type.
CREATE FUNCTION garden.arg_values(typ oid, argname text)
RETURNS TABLE (label text, expr text) LANGUAGE plpgsql AS $$
DECLARE
	t text := pg_catalog.format_type(typ, NULL);
	cat "char" := (SELECT typcategory FROM pg_type WHERE oid = typ);
	v text[];
	lab text[];
BEGIN
	IF t = 'geometry' THEN
		lab := ARRAY['point4326', 'NULL', 'empty point', 'srid3857', 'srid0', 'linestring', 'polygon', 'multipoint',
		             'empty collection', 'NaN point', 'Infinity point', 'huge coords', 'lon/lat out of range', 'point Z'];
		v := ARRAY['ST_SetSRID(ST_MakePoint(116.40, 39.90), 4326)', 'NULL', '''SRID=4326;POINT EMPTY''',
		           '''SRID=3857;POINT(12958000 4852000)''', '''POINT(1 1)''',
		           '''SRID=4326;LINESTRING(116.4 39.9,116.5 40)''',
		           '''SRID=4326;POLYGON((116.4 39.9,116.5 39.9,116.5 40,116.4 39.9))''',
		           '''SRID=4326;MULTIPOINT((116.4 39.9),(116.5 40))''', '''SRID=4326;GEOMETRYCOLLECTION EMPTY''',
		           'ST_SetSRID(ST_MakePoint(''NaN'', ''NaN''), 4326)',
		           'ST_SetSRID(ST_MakePoint(''Infinity'', ''-Infinity''), 4326)',
		           'ST_SetSRID(ST_MakePoint(1e300, -1e300), 4326)', 'ST_SetSRID(ST_MakePoint(200, 95), 4326)',
		           'ST_SetSRID(ST_MakePoint(116.4, 39.9, 10), 4326)'];
	ELSIF t IN ('double precision', 'real', 'numeric') THEN
		lab := ARRAY['base', 'NULL', 'zero', 'negative', 'tiny', 'huge', 'NaN', 'Infinity', '-Infinity', 'half', 'one'];
		v := ARRAY[CASE WHEN argname ~ 'confidence|alpha|level|prob' THEN '0.95' WHEN argname ~ 'lon' THEN '116.4'
		                WHEN argname ~ 'lat' THEN '39.9' ELSE '500' END,
		           'NULL', '0', '-1', '1e-12', '1e300', '''NaN''', '''Infinity''', '''-Infinity''', '0.5', '1'];
		IF t = 'real' THEN v[6] := '1e30'; END IF;
		IF t = 'numeric' THEN v[6] := '1e300'; END IF;
	ELSIF t IN ('integer', 'smallint') THEN
		lab := ARRAY['base', 'NULL', 'zero', 'negative', 'one', 'max', 'min', 'large'];
		v := ARRAY[CASE WHEN argname ~ 'level' THEN '3' WHEN argname ~ 'orders|replications|permutations' THEN '19'
		                WHEN argname ~ 'seed' THEN '42' ELSE '7' END,
		           'NULL', '0', '-1', '1', '2147483647', '-2147483648', '100000000'];
		IF t = 'smallint' THEN v[6] := '32767'; v[7] := '-32768'; v[8] := '10000'; END IF;
	ELSIF t = 'bigint' THEN
		lab := ARRAY['base', 'NULL', 'zero', 'negative', 'max', 'min'];
		v := ARRAY['10', 'NULL', '0', '-1', '9223372036854775807', '-9223372036854775808'];
	ELSIF t IN ('text', 'character varying', 'name', 'cstring') THEN
		lab := ARRAY['base', 'NULL', 'empty', 'x', 'long', 'control chars', 'code', 'NaN'];
		v := ARRAY[CASE WHEN argname ~ 'method' THEN '''C2'''
		                WHEN argname ~ 'lang' THEN '''en'''
		                WHEN argname ~ 'schema' THEN '''garden_city'''
		                WHEN argname ~ 'code|unit|prefix' THEN '''110105001002'''
		                WHEN argname ~ 'category' THEN '''heating'''
		                WHEN argname ~ 'column' THEN '''unit_code'''
		                WHEN argname ~ 'sector' THEN '''public_utilities'''
		                ELSE '''a''' END,
		           'NULL', '''''', '''x''', 'repeat(''9'', 100000)', 'E''\x01\x02\t''', '''110105001002''', '''NaN'''];
		IF t = 'name' OR t = 'cstring' THEN
			v[5] := 'repeat(''9'', 63)';
		END IF;
	ELSIF t = 'boolean' THEN
		lab := ARRAY['true', 'NULL', 'false'];
		v := ARRAY['true', 'NULL', 'false'];
	ELSIF t = 'date' THEN
		lab := ARRAY['base', 'NULL', 'infinity', '-infinity', 'far past', 'far future'];
		v := ARRAY['''2024-01-05''', 'NULL', '''infinity''', '''-infinity''', '''4713-01-01 BC''', '''5874897-12-31'''];
	ELSIF t IN ('timestamp with time zone', 'timestamp without time zone') THEN
		lab := ARRAY['base', 'NULL', 'infinity', '-infinity', 'far past'];
		v := ARRAY['''2024-01-05 00:00+00''', 'NULL', '''infinity''', '''-infinity''', '''4713-01-01 00:00+00 BC'''];
	ELSIF t = 'interval' THEN
		lab := ARRAY['base', 'NULL', 'zero', 'negative', 'huge'];
		v := ARRAY['''1 day''', 'NULL', '''0''', '''-1 day''', '''178000000 years'''];
	ELSIF t = 'regclass' THEN
		lab := ARRAY['orders', 'NULL', 'catalog', 'config table', 'view'];
		v := ARRAY['''garden.orders''', 'NULL', '''pg_catalog.pg_class''', '''minqing.admin_unit''', '''pg_catalog.pg_stats'''];
	ELSIF t = 'bytea' THEN
		lab := ARRAY['empty', 'NULL', 'one byte', 'garbage', 'huge header', 'ff'];
		v := ARRAY['''\x''', 'NULL', '''\x00''', '''\x0102030405060708090a0b0c0d0e0f101112131415161718''',
		           'decode(''01'' || repeat(''7f'', 15) || repeat(''00'', 16), ''hex'')', 'decode(repeat(''ff'', 64), ''hex'')'];
	ELSIF t = 'jsonb' OR t = 'json' THEN
		lab := ARRAY['empty', 'NULL', 'array', 'scalar'];
		v := ARRAY['''{}''', 'NULL', '''[1,2]''', '''1'''];
	ELSIF cat = 'A' THEN
		lab := ARRAY['empty', 'NULL'];
		v := ARRAY['''{}''', 'NULL'];
	ELSIF cat = 'P' THEN
		lab := ARRAY['NULL'];
		v := ARRAY['NULL'];
	ELSIF cat = 'C' THEN
		lab := ARRAY['NULL', 'all NULL'];
		v := ARRAY['NULL', 'ROW()'];
		-- a row of NULLs of the right arity
		v[2] := 'ROW(' || (SELECT string_agg('NULL', ',') FROM pg_attribute a
		                  WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = typ)
		                    AND a.attnum > 0 AND NOT a.attisdropped) || ')';
	ELSE
		-- another base type (a minqing varlena type, …): its text input
		lab := ARRAY['NULL', 'empty text', 'garbage text'];
		v := ARRAY['NULL', '''''', '''garbage'''];
	END IF;
	FOR i IN 1 .. array_length(v, 1) LOOP
		label := lab[i];
		expr := '(' || v[i] || ')::' || t;
		RETURN NEXT;
	END LOOP;
END
$$;

-- garden.calls(): one row per call.  Plain functions: every argument through
-- its values with the others at baseline, all NULLs, and the defaults.
-- Aggregates and window functions: empty input, one row, five identical
-- rows, and for every variation a two-row input (baseline row + varied row:
-- mixed SRIDs, a NULL among values, NaN among finite values …) and a one-row
-- input of the varied row alone.
CREATE FUNCTION garden.calls()
RETURNS TABLE (fn text, label text, q text) LANGUAGE plpgsql AS $$
DECLARE
	p record;
	nargs int;
	names text[];
	types oid[];
	base text[];
	vals record;
	argl text;
	fq text;
	rows_base text;
	cols text;
BEGIN
	FOR p IN
		SELECT f.oid, f.oid::regprocedure::text AS sig, f.proname, f.prokind, f.proretset, f.pronargs,
		       f.pronargdefaults, ARRAY(SELECT unnest(f.proargtypes::oid[])) AS argtypes,
		       -- names of the input arguments only (proargnames also lists OUT ones)
		       ARRAY(SELECT coalesce(f.proargnames[k], '')
		             FROM generate_series(1, coalesce(array_length(f.proargmodes, 1), f.pronargs)) k
		             WHERE f.proargmodes IS NULL OR f.proargmodes[k] IN ('i', 'b', 'v')
		             ORDER BY k) AS argnames,
		       f.prorettype
		FROM pg_proc f
		WHERE f.pronamespace = 'minqing'::regnamespace
		ORDER BY 2
	LOOP
		nargs := p.pronargs;
		types := p.argtypes;
		-- not callable from SQL: internal arguments or results, triggers
		CONTINUE WHEN 'internal'::regtype::oid = ANY (types) OR p.prorettype = 'internal'::regtype
		           OR p.prorettype = 'trigger'::regtype OR p.prorettype = 'event_trigger'::regtype;
		names := p.argnames;
		base := ARRAY(SELECT (SELECT expr FROM garden.arg_values(types[i], names[i]) LIMIT 1)
		              FROM generate_series(1, nargs) i);
		fq := 'minqing.' || quote_ident(p.proname);
		IF p.prokind = 'f' THEN
			-- baseline, every single-argument variation, all NULL, defaults only
			fn := p.sig;
			label := 'baseline';
			q := format('SELECT sum(length(x::text)) FROM %s(%s) AS x', fq, array_to_string(base, ', '));
			RETURN NEXT;
			FOR i IN 1 .. nargs LOOP
				FOR vals IN SELECT * FROM garden.arg_values(types[i], names[i]) OFFSET 1 LOOP
					label := format('arg %s %s', i, vals.label);
					q := format('SELECT sum(length(x::text)) FROM %s(%s) AS x', fq,
					            array_to_string(base[1:i-1] || vals.expr || base[i+1:nargs], ', '));
					RETURN NEXT;
				END LOOP;
			END LOOP;
			IF nargs > 0 THEN
				label := 'all NULL';
				q := format('SELECT sum(length(x::text)) FROM %s(%s) AS x', fq,
				            (SELECT string_agg(format('NULL::%s', format_type(types[i], NULL)), ', ')
				             FROM generate_series(1, nargs) i));
				RETURN NEXT;
			END IF;
			IF p.pronargdefaults > 0 THEN
				label := 'defaults';
				q := format('SELECT sum(length(x::text)) FROM %s(%s) AS x', fq,
				            array_to_string(base[1:nargs - p.pronargdefaults], ', '));
				RETURN NEXT;
			END IF;
		ELSIF p.prokind IN ('a', 'w') THEN
			fn := p.sig;
			cols := (SELECT string_agg('a' || i, ', ') FROM generate_series(1, nargs) i);
			argl := CASE WHEN nargs = 0 THEN '*' ELSE cols END;
			IF p.prokind = 'a' THEN
				fq := format('SELECT %s(%s)::text FROM (VALUES %%s) v(o%s) %%s', fq, argl,
				             CASE WHEN nargs > 0 THEN ', ' || cols ELSE '' END);
			ELSE
				fq := format('SELECT sum(length(r::text)) FROM (SELECT %s(%s) OVER (ORDER BY o) AS r FROM (VALUES %%s) v(o%s) %%s) s',
				             fq, argl, CASE WHEN nargs > 0 THEN ', ' || cols ELSE '' END);
			END IF;
			rows_base := '0' || CASE WHEN nargs > 0 THEN ', ' || array_to_string(base, ', ') ELSE '' END;
			label := 'empty input';
			q := format(fq, '(' || rows_base || ')', 'WHERE false');
			RETURN NEXT;
			label := 'one row';
			q := format(fq, '(' || rows_base || ')', '');
			RETURN NEXT;
			label := 'five identical rows';
			q := format(fq, (SELECT string_agg('(' || rows_base || ')', ', ') FROM generate_series(1, 5)), '');
			RETURN NEXT;
			FOR i IN 1 .. nargs LOOP
				FOR vals IN SELECT * FROM garden.arg_values(types[i], names[i]) OFFSET 1 LOOP
					label := format('arg %s %s, with a baseline row', i, vals.label);
					q := format(fq, '(' || rows_base || '), (1, '
					            || array_to_string(base[1:i-1] || vals.expr || base[i+1:nargs], ', ') || ')', '');
					RETURN NEXT;
					label := format('arg %s %s, alone', i, vals.label);
					q := format(fq, '(1, ' || array_to_string(base[1:i-1] || vals.expr || base[i+1:nargs], ', ') || ')', '');
					RETURN NEXT;
				END LOOP;
			END LOOP;
		END IF;
	END LOOP;
END
$$;

-- garden.try(q): run one call; 'ok' or 'error <sqlstate> <message>'.  Every
-- call is rolled back (the trailing exception), so a call that creates
-- tables or changes settings leaves nothing behind.
CREATE FUNCTION garden.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
BEGIN
	BEGIN
		EXECUTE q;
		RAISE EXCEPTION USING ERRCODE = 'GD000', MESSAGE = 'garden rollback';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		IF st = 'GD000' THEN
			RETURN 'ok';
		END IF;
		RETURN 'error ' || st || ' ' || left(replace(msg, E'\n', ' '), 200);
	END;
END
$$;
