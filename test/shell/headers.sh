#!/usr/bin/env bash
# Every header in src/ compiles on its own and when included twice (its
# include guard covers everything it declares).
set -u
# the build's pg_config (MQ_BIN is its private copy under $MQ_WORK/pgroot)
inc=$("${MQ_BIN#"$MQ_WORK/pgroot"}/pg_config" --includedir-server)
. "$MQ_ROOT/test/lib/tap.sh"
for h in "$MQ_ROOT"/src/*.h; do
	b=$(basename "$h")
	printf '#include "postgres.h"\n#include "%s"\n#include "%s"\n' "$b" "$b" >"$MQ_WORK/header_twice.c"
	if err=$(cc -fsyntax-only -Wall -Werror -I"$MQ_ROOT/src" -I"$inc" "$MQ_WORK/header_twice.c" 2>&1); then
		ok 0 "$b compiles included twice"
	else
		not_ok "$b compiles included twice" "$(echo "$err" | head -5)"
	fi
done
rm -f "$MQ_WORK/header_twice.c"
tap_done
