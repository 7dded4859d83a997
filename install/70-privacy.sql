----------------------------------------------------------------------------
-- Privacy and scope (SPEC §7): pseudonyms, small-cell suppression,
-- row-level scopes by admin-code prefix.
----------------------------------------------------------------------------
-- Ordinary roles may use minqing's functions and the policies of scoped
-- tables (which read minqing.scope); the tables' own grants still apply.
GRANT USAGE ON SCHEMA minqing TO PUBLIC;

CREATE FUNCTION minqing.pseudonymize(value text, key text) RETURNS text
	AS 'MODULE_PATHNAME', 'pseudonymize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.pseudonymize(text, text) IS
	'lower-case hex HMAC-SHA256 of value under key (a stable pseudonym; an empty key is refused)';

-- stable because it reads setting minqing.pseudonym_key
CREATE FUNCTION minqing.pseudonymize(value text) RETURNS text
	AS 'MODULE_PATHNAME', 'pseudonymize'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.pseudonymize(text) IS
	'lower-case hex HMAC-SHA256 of value under the superuser-only setting minqing.pseudonym_key, which the caller need not (and cannot) read';

CREATE FUNCTION minqing.suppress(n bigint, k int DEFAULT 10) RETURNS bigint
	AS 'MODULE_PATHNAME', 'suppress'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION minqing.suppress(bigint, int) IS
	'small-cell suppression: n when n >= k (default 10), else NULL';

-- Which admin units each role may see.  A role sees the rows of a scoped
-- table whose unit code starts with one of the prefixes listed for it or for
-- any role it is a member of.  The empty prefix means every unit.
CREATE TABLE minqing.scope (
	role_name   name NOT NULL,
	unit_prefix text NOT NULL CHECK (unit_prefix ~ '^[0-9]{0,15}$'),
	PRIMARY KEY (role_name, unit_prefix)
);
COMMENT ON TABLE minqing.scope IS
	'row-level scopes: role_name (or its members) sees rows whose unit code starts with unit_prefix; used by tables passed to enable_scope(); rows are kept by pg_dump';
COMMENT ON COLUMN minqing.scope.role_name IS
	'a role name; members of the role (pg_has_role … MEMBER) inherit the scope; rows naming a dropped role are ignored';
COMMENT ON COLUMN minqing.scope.unit_prefix IS
	'leading digits of an admin code (12 digits, 15 for a grid), e.g. ''110105'' for a district, a 15-digit grid code for a grid worker; '''' for every unit';
SELECT pg_catalog.pg_extension_config_dump('minqing.scope', '');

-- Every role may read the scope rows that apply to itself (the scoped tables'
-- policies read them as the querying role) and no others.  Writing is for
-- the owner (the superuser who created the extension) or a BYPASSRLS role
-- granted the privilege.
ALTER TABLE minqing.scope ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_own_rows ON minqing.scope FOR SELECT TO PUBLIC
	USING (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
	               WHERE r.rolname = role_name
	                 AND pg_catalog.pg_has_role(CURRENT_USER, r.oid, 'MEMBER')));
GRANT SELECT ON minqing.scope TO PUBLIC;

CREATE FUNCTION minqing.enable_scope(tbl regclass, unit_column name) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $fn$
DECLARE
	col_type regtype;
BEGIN
	SELECT a.atttypid::regtype INTO col_type
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = tbl AND a.attname = unit_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF col_type IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', unit_column, tbl
			USING ERRCODE = 'undefined_column',
			      HINT = 'Pass the name of the column holding the 12-digit unit code.';
	END IF;
	IF col_type NOT IN ('text'::regtype, 'character varying'::regtype, 'character'::regtype) THEN
		RAISE EXCEPTION 'unit column "%" of % has type %, not text', unit_column, tbl, col_type
			USING ERRCODE = 'datatype_mismatch',
			      HINT = 'Scopes match admin-code prefixes; store the unit code as text.';
	END IF;
	IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = tbl) NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '% is not a table', tbl
			USING ERRCODE = 'wrong_object_type',
			      HINT = 'Row-level security applies to tables; scope the table a view reads from.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = tbl AND p.polname = 'minqing_scope') THEN
		RAISE EXCEPTION 'table % already has a minqing_scope policy', tbl
			USING ERRCODE = 'duplicate_object',
			      HINT = 'Call minqing.disable_scope() first to change the unit column.';
	END IF;
	EXECUTE pg_catalog.format(
		'CREATE POLICY minqing_scope ON %s AS PERMISSIVE FOR ALL TO PUBLIC '
		'USING (%I OPERATOR(pg_catalog.^@) ANY (ARRAY(SELECT s.unit_prefix FROM minqing.scope s)))',
		tbl, unit_column);
	EXECUTE pg_catalog.format('COMMENT ON POLICY minqing_scope ON %s IS %L', tbl,
		'minqing: rows whose ' || unit_column || ' starts with a prefix minqing.scope lists for the current role or a role it is a member of');
	EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
END
$fn$;
COMMENT ON FUNCTION minqing.enable_scope(regclass, name) IS
	'row-level security on tbl: each role sees (and may write) only rows whose unit_column starts with one of its minqing.scope prefixes, the owner included (FORCE); superusers and BYPASSRLS roles see everything';

CREATE FUNCTION minqing.disable_scope(tbl regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $fn$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = tbl AND p.polname = 'minqing_scope') THEN
		RAISE EXCEPTION 'table % has no minqing_scope policy', tbl
			USING ERRCODE = 'undefined_object',
			      HINT = 'enable_scope() creates it.';
	END IF;
	EXECUTE pg_catalog.format('DROP POLICY minqing_scope ON %s', tbl);
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = tbl) THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', tbl);
		EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
	END IF;
END
$fn$;
COMMENT ON FUNCTION minqing.disable_scope(regclass) IS
	'drop the minqing_scope policy of tbl; row-level security is switched off when no other policy remains';
