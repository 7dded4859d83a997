#!/usr/bin/env bash
# docs/reference.md lists every function of schema minqing (pg_proc) with its
# arguments, and is exactly what `make docs` generates from the catalog now
# (so comments, results and new functions cannot drift from it).
set -u
. "$MQ_ROOT/test/lib/tap.sh"
. "$MQ_ROOT/test/lib/reference.sh"
DB=mq_reference
REF=$MQ_ROOT/docs/reference.md

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION minqing CASCADE" >/dev/null || exit 1

# 1. every function, aggregate, window function and procedure is in the file
total=0; missing=""
while IFS= read -r sig; do
	total=$((total + 1))
	grep -qF -- "| \`$sig\` |" "$REF" || missing="$missing$sig"$'\n'
done < <(q -c "SELECT p.proname || '(' || pg_get_function_arguments(p.oid) || ')'
               FROM pg_proc p WHERE p.pronamespace = 'minqing'::regnamespace ORDER BY 1")
check "docs/reference.md lists all $total functions of schema minqing (make docs)" "${missing%$'\n'}" ""
[ "$total" -gt 100 ]; ok $? "pg_proc has the functions of minqing ($total)"

# 2. every type and table with a comment is in the file
missing=$(q -c "SELECT string_agg(x, ' ' ORDER BY x) FROM (
	SELECT t.typname AS x FROM pg_type t WHERE t.typnamespace = 'minqing'::regnamespace AND t.typname !~ '^_'
	  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
	UNION ALL SELECT relname FROM pg_class WHERE relnamespace = 'minqing'::regnamespace AND relkind IN ('r', 'v', 'm', 'p')) s" \
	| tr ' ' '\n' | while read -r x; do [ -n "$x" ] && ! grep -qF "| \`$x\` |" "$REF" && echo "$x"; done)
check "docs/reference.md lists every type and table of schema minqing" "$missing" ""

# 3. the whole file is what the generator writes from this catalog
mq_reference "$DB" >"${MQ_WORK:-/tmp}/reference.md" 2>&1
d=$(diff "$REF" "${MQ_WORK:-/tmp}/reference.md" | head -40)
check "docs/reference.md is up to date (run make docs)" "$d" ""

psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
tap_done
