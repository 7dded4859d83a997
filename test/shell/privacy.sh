#!/usr/bin/env bash
# minqing.pseudonym_key set the production way (ALTER SYSTEM + reload), seen
# from fresh login sessions of an ordinary role: with minqing preloaded the
# role can use the key but never read it; without a preload PostgreSQL keeps
# the value in a placeholder that SHOW reveals until minqing is loaded (the
# documented reason the README says "preload minqing").
set -u
. "$MQ_ROOT/test/lib/tap.sh"
as() { local r=$1; shift; psql -X -q -At -U "$r" -d mq_privacy -c "$*" 2>&1 | sed -n '1p'; }
sq() { local c=(); for a in "$@"; do c+=(-c "$a"); done; psql -X -q -At -v ON_ERROR_STOP=1 -d "${DB:-mq_privacy}" "${c[@]}"; }

cleanup() {
	DB=postgres sq "LOAD 'minqing'" "ALTER SYSTEM RESET minqing.pseudonym_key" >/dev/null 2>&1
	DB=postgres sq "SELECT pg_reload_conf()" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS mq_privacy" -c "DROP ROLE IF EXISTS mq_priv_login" \
		-c "DROP ROLE IF EXISTS mq_priv_plain" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "CREATE DATABASE mq_privacy" \
	-c "CREATE ROLE mq_priv_login LOGIN" -c "CREATE ROLE mq_priv_plain LOGIN" \
	-c "ALTER ROLE mq_priv_login SET session_preload_libraries = 'minqing'"
sq "SET client_min_messages = warning; CREATE EXTENSION minqing CASCADE" >/dev/null

# ALTER SYSTEM validates the name, so the superuser's session loads minqing first
DB=postgres sq "LOAD 'minqing'" "ALTER SYSTEM SET minqing.pseudonym_key = 'sekrit'" >/dev/null
DB=postgres sq "SELECT pg_reload_conf()" >/dev/null
sleep 1
want=bc6cf56db7739e947dbda3205674e3ab180b90cb7b6b0c612ee9d3d9e8f25108   # python hmac, test/reference/privacy_hmac.py

check "preloaded: the role uses the key" "$(as mq_priv_login "SELECT minqing.pseudonymize('13800138000')")" "$want"
check "preloaded: SHOW refused" "$(as mq_priv_login "SHOW minqing.pseudonym_key")" \
	'ERROR:  must be superuser or have privileges of pg_read_all_settings to examine "minqing.pseudonym_key"'
check "preloaded: current_setting refused" \
	"$(as mq_priv_login "SELECT current_setting('minqing.pseudonym_key', true)" | cut -c1-38)" "ERROR:  must be superuser or have priv"
check "preloaded: not in pg_settings" "$(as mq_priv_login "SELECT count(*) FROM pg_settings WHERE name ~ 'pseudonym'")" "0"
check "pg_file_settings (which shows postgresql.auto.conf) refused" \
	"$(as mq_priv_login "SELECT count(*) FROM pg_file_settings" | cut -c1-29)" "ERROR:  permission denied for"
check "not preloaded: the role still uses the key" "$(as mq_priv_plain "SELECT minqing.pseudonymize('13800138000')")" "$want"
check "not preloaded, after first use: SHOW refused" \
	"$(psql -X -q -At -U mq_priv_plain -d mq_privacy -c "SELECT minqing.suppress(1)" -c "SHOW minqing.pseudonym_key" 2>&1 | tail -1 | cut -c1-25)" \
	"ERROR:  must be superuser"
check "not preloaded, before first use: the placeholder is visible (why the README says preload)" \
	"$(as mq_priv_plain "SHOW minqing.pseudonym_key")" "sekrit"
check "key from postgresql.auto.conf matches the explicit key" \
	"$(sq "SELECT minqing.pseudonymize('13800138000') = minqing.pseudonymize('13800138000', 'sekrit')")" "t"

tap_done
