-- privacy: pseudonyms, suppression, scopes; error messages with their hints (tagged p1..)
\set VERBOSITY default
SELECT 'p1', minqing.pseudonymize('what do ya want for nothing?', 'Jefe');   -- RFC 4231 case 2
SELECT 'p2', minqing.pseudonymize('13800138000', 'k') = minqing.pseudonymize('13800138000', 'k') AS stable,
       length(minqing.pseudonymize('13800138000', 'k'));
SELECT 'p3', minqing.pseudonymize(NULL, 'k') IS NULL;
SELECT 'p4', n, minqing.suppress(n) AS k10, minqing.suppress(n, 3) AS k3
FROM (VALUES (0::bigint), (2), (3), (9), (10), (11)) v(n);
SELECT 'p5', count(*) AS scope_rows FROM minqing.scope;
-- errors
SELECT 'e1', minqing.pseudonymize('x', '');
SET minqing.pseudonym_key = '';
SELECT 'e2', minqing.pseudonymize('x');
RESET minqing.pseudonym_key;
SELECT 'e3', minqing.suppress(1, -1);
CREATE TABLE privacy_t (id int, unit text);
SELECT 'e4', minqing.enable_scope('privacy_t', 'nope');
SELECT 'e5', minqing.enable_scope('privacy_t', 'id');
SELECT 'e6', minqing.disable_scope('privacy_t');
SELECT 'p6', minqing.enable_scope('privacy_t', 'unit');
SELECT 'p7', polname, polcmd, polroles::regrole[], pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = 'privacy_t'::regclass;
SELECT 'p8', minqing.disable_scope('privacy_t');
DROP TABLE privacy_t;
