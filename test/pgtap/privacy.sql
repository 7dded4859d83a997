-- privacy: pseudonyms (HMAC-SHA256), the hidden key setting, suppression,
-- row-level scopes with real roles, the role recipe and a public-release view.
-- Roles are created inside the transaction and vanish with the ROLLBACK.
BEGIN;
SELECT plan(53);

-- as_role(role, query): run a one-value query as another role; returns its
-- value as text, 'NULL', or 'ERROR <sqlstate>'.  The role switch is undone
-- on both paths (the exception rolls the subtransaction's SET ROLE back).
CREATE FUNCTION pg_temp.as_role(r name, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	res text;
BEGIN
	BEGIN
		PERFORM pg_catalog.set_config('role', r, true);
		EXECUTE q INTO res;
		PERFORM pg_catalog.set_config('role', 'none', true);
		RETURN coalesce(res, 'NULL');
	EXCEPTION WHEN OTHERS THEN
		RETURN 'ERROR ' || SQLSTATE;
	END;
END
$$;

----------------------------------------------------------------------------
-- pseudonymize(value, key): HMAC-SHA256 against Python's hmac module
-- (test/reference/privacy_hmac.py); the first two are RFC 4231 cases 1 and 2.
----------------------------------------------------------------------------
SELECT is(minqing.pseudonymize('Hi There', repeat(chr(11), 20)),
          'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'RFC 4231 case 1');
SELECT is(minqing.pseudonymize('what do ya want for nothing?', 'Jefe'),
          '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'RFC 4231 case 2');
SELECT is(minqing.pseudonymize('13800138000', repeat('k', 100)),
          '27a73626932b239054a641766b1c992e8a5274cc80c991db85bfb4129315740c', 'key longer than the block (python hmac)');
SELECT is(minqing.pseudonymize('张三 13800138000', '密钥'),
          'e2dd78ad0cc5390a61ba149073621ee5fb8bed3d6783e71a33a835a19da0a3ae', 'UTF-8 value and key (python hmac)');
SELECT is(minqing.pseudonymize('', 'test-key'),
          '2711cc23e9ab1b8a9bc0fe991238da92671624a9ebdaf1c1abec06e7e9a14f9b', 'empty value (python hmac)');
SELECT ok(minqing.pseudonymize('x', 'k') ~ '^[0-9a-f]{64}$', 'lower-case hex, 64 digits');
SELECT ok(minqing.pseudonymize('x', 'k1') <> minqing.pseudonymize('x', 'k2'), 'different keys, different pseudonyms');
SELECT ok(minqing.pseudonymize(NULL, 'k') IS NULL AND minqing.pseudonymize('x', NULL) IS NULL, 'NULL in, NULL out');
SELECT throws_ok($$SELECT minqing.pseudonymize('x', '')$$, '22023', 'pseudonym key must not be empty', 'empty key refused');

----------------------------------------------------------------------------
-- pseudonymize(value) with the superuser-only setting
----------------------------------------------------------------------------
SET LOCAL minqing.pseudonym_key = '';
SELECT throws_ok($$SELECT minqing.pseudonymize('x')$$, '22023', 'minqing.pseudonym_key is not set', 'unset key: error');
SET LOCAL minqing.pseudonym_key = 'sekrit';
SELECT is(minqing.pseudonymize('13800138000'),
          'bc6cf56db7739e947dbda3205674e3ab180b90cb7b6b0c612ee9d3d9e8f25108', 'one-argument form uses the setting (python hmac)');

CREATE ROLE mq_priv_analyst NOLOGIN;
CREATE ROLE mq_priv_reader NOLOGIN IN ROLE pg_read_all_settings;
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SELECT minqing.pseudonymize('13800138000')$$),
          'bc6cf56db7739e947dbda3205674e3ab180b90cb7b6b0c612ee9d3d9e8f25108', 'an ordinary role can use the key');
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SHOW minqing.pseudonym_key$$), 'ERROR 42501', 'an ordinary role cannot SHOW the key');
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SELECT current_setting('minqing.pseudonym_key')$$), 'ERROR 42501',
          'nor read it with current_setting');
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SELECT current_setting('minqing.pseudonym_key', true)$$), 'ERROR 42501',
          'not even with missing_ok');
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SELECT count(*) FROM pg_settings WHERE name LIKE 'minqing.pseudonym%'$$), '0',
          'nor see it in pg_settings');
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SELECT count(*) FROM pg_catalog.pg_show_all_settings() WHERE name LIKE 'minqing.pseudonym%'$$), '0',
          'nor in pg_show_all_settings()');
SELECT is(pg_temp.as_role('mq_priv_analyst', $$SELECT set_config('minqing.pseudonym_key', 'mine', true)$$), 'ERROR 42501',
          'nor change it');
SELECT is(pg_temp.as_role('mq_priv_reader', $$SELECT current_setting('minqing.pseudonym_key')$$), 'sekrit',
          'members of pg_read_all_settings can read it (documented)');
SELECT throws_ok($$ALTER ROLE mq_priv_analyst SET minqing.pseudonym_key = 'leak'$$, '22023', NULL,
                 'ALTER ROLE … SET key refused (pg_db_role_setting is world-readable)');
SELECT throws_ok($$ALTER DATABASE minqing_tap SET minqing.pseudonym_key = 'leak'$$, '22023', NULL,
                 'ALTER DATABASE … SET key refused');
SELECT throws_ok($$CREATE FUNCTION pg_temp.leak() RETURNS int LANGUAGE sql SET minqing.pseudonym_key = 'leak' AS 'SELECT 1'$$,
                 '22023', NULL, 'a function SET clause with the key refused (pg_proc is world-readable)');
SET LOCAL minqing.pseudonym_key = '';

----------------------------------------------------------------------------
-- suppress
----------------------------------------------------------------------------
SELECT is(minqing.suppress(10), 10::bigint, 'suppress: n = k kept');
SELECT ok(minqing.suppress(9) IS NULL, 'suppress: n < 10 suppressed by default');
SELECT ok(minqing.suppress(2, 3) IS NULL AND minqing.suppress(3, 3) = 3, 'suppress: explicit k');
SELECT ok(minqing.suppress(0, 0) = 0 AND minqing.suppress(NULL) IS NULL AND minqing.suppress(5, NULL) IS NULL,
          'suppress: k = 0 keeps all, NULL in NULL out');
SELECT throws_ok($$SELECT minqing.suppress(5, -1)$$, '22023', NULL, 'suppress: negative k refused');

----------------------------------------------------------------------------
-- Row-level scopes with real roles
----------------------------------------------------------------------------
CREATE ROLE mq_priv_owner NOLOGIN;
CREATE ROLE mq_priv_chaoyang NOLOGIN;            -- district official: 110105
CREATE ROLE mq_priv_street NOLOGIN;              -- street office: 110105001
CREATE ROLE mq_priv_beijing NOLOGIN;             -- a group role: 1101
CREATE ROLE mq_priv_member NOLOGIN IN ROLE mq_priv_beijing;  -- scoped only through membership
CREATE ROLE mq_priv_nobody NOLOGIN;
CREATE ROLE mq_priv_bypass NOLOGIN BYPASSRLS;

CREATE TABLE public.privacy_orders (id int, unit_code text, caller_id text);
INSERT INTO public.privacy_orders VALUES
	(1, '110105001001', 'a'), (2, '110105001002', 'b'), (3, '110105002001', 'c'),
	(4, '110108001001', 'd'), (5, '120101001001', 'e'), (6, NULL, 'f');
ALTER TABLE public.privacy_orders OWNER TO mq_priv_owner;
GRANT SELECT, INSERT ON public.privacy_orders TO PUBLIC;
INSERT INTO minqing.scope VALUES
	('mq_priv_chaoyang', '110105'), ('mq_priv_street', '110105001'), ('mq_priv_beijing', '1101'),
	('mq_priv_owner', '120101'), ('mq_priv_ghost', '');   -- a role that does not exist: ignored

SELECT lives_ok($$SELECT minqing.enable_scope('public.privacy_orders', 'unit_code')$$, 'enable_scope');
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'public.privacy_orders'::regclass),
          'row-level security enabled and forced');
SELECT is(pg_temp.as_role('mq_priv_chaoyang', 'SELECT count(*) FROM public.privacy_orders'), '3', 'district official sees its district');
SELECT is(pg_temp.as_role('mq_priv_street', 'SELECT string_agg(id::text, '','' ORDER BY id) FROM public.privacy_orders'), '1,2',
          'street office sees its street');
SELECT is(pg_temp.as_role('mq_priv_member', 'SELECT count(*) FROM public.privacy_orders'), '4', 'scope through role membership');
SELECT is(pg_temp.as_role('mq_priv_nobody', 'SELECT count(*) FROM public.privacy_orders'), '0', 'no scope, no rows');
SELECT is(pg_temp.as_role('mq_priv_owner', 'SELECT count(*) FROM public.privacy_orders'), '1', 'the table owner is scoped too (FORCE)');
SELECT is(pg_temp.as_role('mq_priv_bypass', 'SELECT count(*) FROM public.privacy_orders'), '6', 'BYPASSRLS sees everything (documented)');
SELECT is((SELECT count(*) FROM public.privacy_orders), 6::bigint, 'superuser sees everything (documented)');
SELECT is(pg_temp.as_role('mq_priv_street', $$INSERT INTO public.privacy_orders VALUES (7, '110108001001', 'g') RETURNING id$$),
          'ERROR 42501', 'cannot write a row outside its scope');
SELECT is(pg_temp.as_role('mq_priv_street', $$INSERT INTO public.privacy_orders VALUES (8, '110105001003', 'h') RETURNING id$$),
          '8', 'can write a row inside its scope');
SELECT is(pg_temp.as_role('mq_priv_member', 'SELECT string_agg(unit_prefix, '','') FROM minqing.scope'), '1101',
          'a role sees only the scope rows that apply to it');
SELECT is(pg_temp.as_role('mq_priv_street', $$INSERT INTO minqing.scope VALUES ('mq_priv_street', '') RETURNING 1$$),
          'ERROR 42501', 'a role cannot widen its own scope');
-- a view over a scoped table: security_invoker applies the reader's scope
CREATE VIEW public.privacy_orders_v WITH (security_invoker = true) AS SELECT * FROM public.privacy_orders;
GRANT SELECT ON public.privacy_orders_v TO PUBLIC;
SELECT is(pg_temp.as_role('mq_priv_street', 'SELECT count(*) FROM public.privacy_orders_v'), '3', 'security_invoker view keeps the scope');

SELECT throws_ok($$SELECT minqing.enable_scope('public.privacy_orders', 'unit_code')$$, '42710', NULL, 'enable_scope twice refused');
SELECT throws_ok($$SELECT minqing.enable_scope('public.privacy_orders', 'nope')$$, '42703', NULL, 'unknown column refused');
SELECT throws_ok($$SELECT minqing.enable_scope('public.privacy_orders', 'id')$$, '42804', NULL, 'non-text unit column refused');
SELECT throws_ok($$SELECT minqing.enable_scope('public.privacy_orders_v', 'unit_code')$$, '42809', NULL, 'a view is refused');
SELECT throws_ok($$INSERT INTO minqing.scope VALUES ('x', '11a')$$, '23514', NULL, 'prefix must be digits');

----------------------------------------------------------------------------
-- The public-release pattern (README): a BYPASSRLS role that owns only
-- views publishes per-district counts with small cells suppressed; the
-- public role reads the view and nothing else.
----------------------------------------------------------------------------
CREATE ROLE mq_priv_release NOLOGIN BYPASSRLS;
CREATE ROLE mq_priv_public NOLOGIN;
GRANT SELECT ON public.privacy_orders TO mq_priv_release;
REVOKE ALL ON public.privacy_orders FROM PUBLIC;
CREATE VIEW public.privacy_release WITH (security_barrier) AS
	SELECT minqing.admin_ancestor(unit_code, 3) AS district, minqing.suppress(count(*), 3) AS orders
	FROM public.privacy_orders WHERE unit_code IS NOT NULL GROUP BY 1;
ALTER VIEW public.privacy_release OWNER TO mq_priv_release;
GRANT SELECT ON public.privacy_release TO mq_priv_public;
SELECT is(pg_temp.as_role('mq_priv_public',
          $$SELECT string_agg(district || '=' || coalesce(orders::text, 'suppressed'), ' ' ORDER BY district) FROM public.privacy_release$$),
          '110105000000=4 110108000000=suppressed 120101000000=suppressed', 'public sees suppressed district counts');
SELECT is(pg_temp.as_role('mq_priv_public', 'SELECT count(*) FROM public.privacy_orders'), 'ERROR 42501', 'public cannot read rows');

SELECT lives_ok($$SELECT minqing.disable_scope('public.privacy_orders')$$, 'disable_scope');
SELECT ok((SELECT NOT relrowsecurity AND NOT relforcerowsecurity FROM pg_class WHERE oid = 'public.privacy_orders'::regclass),
          'row-level security off again');

-- grid level (15-digit codes): a grid worker sees the grid, a community its grids
CREATE ROLE mq_priv_grid NOLOGIN;                -- grid worker: 110105001001002
CREATE ROLE mq_priv_community NOLOGIN;           -- community office: 110105001001
CREATE TABLE public.privacy_grid_orders (id int, unit_code text);
INSERT INTO public.privacy_grid_orders VALUES
	(1, '110105001001001'), (2, '110105001001002'), (3, '110105001001002'), (4, '110105001002001'), (5, '110105001001');
GRANT SELECT ON public.privacy_grid_orders TO PUBLIC;
INSERT INTO minqing.scope VALUES ('mq_priv_grid', '110105001001002'), ('mq_priv_community', '110105001001');
SELECT lives_ok($$SELECT minqing.enable_scope('public.privacy_grid_orders', 'unit_code')$$, 'enable_scope on grid-coded orders');
SELECT is(pg_temp.as_role('mq_priv_grid', 'SELECT string_agg(id::text, '','' ORDER BY id) FROM public.privacy_grid_orders'), '2,3',
          'a grid worker (15-digit scope) sees the orders of the grid only');
SELECT is(pg_temp.as_role('mq_priv_community', 'SELECT string_agg(id::text, '','' ORDER BY id) FROM public.privacy_grid_orders'), '1,2,3,5',
          'a community scope sees its grids and its own orders, not the next community''s grid');

SELECT * FROM finish();
ROLLBACK;
