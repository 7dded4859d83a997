#!/usr/bin/env bash
# The release procedure (install/released/README), run by
# install/released/release.sh on a copy of the tree: it freezes the current
# version's parts and the upgrade script the build generates, refuses a
# version that is not default_version and a second release; afterwards the
# build refuses changed install parts until default_version moves on, and the
# next version's upgrade is generated from the frozen parts.
set -u
. "$MQ_ROOT/test/lib/tap.sh"
T=${MQ_WORK:-/tmp}/release; rm -rf "$T"; mkdir -p "$T/src"
cp -r "$MQ_ROOT/install" "$MQ_ROOT/minqing.control" "$MQ_ROOT/Makefile" "$MQ_ROOT/CHANGELOG.md" "$T/"
PGC=${MQ_BIN#"${MQ_WORK:-}/pgroot"}/pg_config
mk() { make -s -C "$T" PG_CONFIG="$PGC" "$@"; }
ver=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$T/minqing.control")
prev=$(find "$T/install/released" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -1)
next=$ver.1

bash "$T/install/released/release.sh" 9.9.9 >"$T/r0.log" 2>&1
check "release.sh refuses a version that is not default_version" "$?:$(grep -c "default_version = '$ver'" "$T/r0.log")" "1:1"
bash "$T/install/released/release.sh" "$ver" >"$T/r1.log" 2>&1
ok $? "release.sh $ver"
check "install/released/$ver/ holds the install parts as they are" \
	"$(cd "$T/install/released/$ver" && ls) $(diff -r "$T/install/released/$ver" "$MQ_ROOT/install" 2>&1 | grep -v '^Only in ')" \
	"$(cd "$MQ_ROOT/install" && ls *.sql) "
check "the frozen upgrade script equals the one the build generates" \
	"$(cmp "$T/install/released/minqing--$prev--$ver.sql" "$MQ_ROOT/minqing--$prev--$ver.sql" 2>&1 && echo same)" "same"
check "the CHANGELOG heading of $ver is dated" "$(grep -cE "^## $ver \([0-9]{4}-[0-9]{2}-[0-9]{2}\)" "$T/CHANGELOG.md")" \
	"$(grep -c "^## $ver (unreleased)" "$MQ_ROOT/CHANGELOG.md")"
bash "$T/install/released/release.sh" "$ver" >"$T/r2.log" 2>&1
check "a second release of $ver is refused" "$?:$(grep -c 'already released' "$T/r2.log")" "1:1"

mk minqing--"$ver".sql >"$T/m1.log" 2>&1
ok $? "the released version builds while the parts are unchanged"
echo "SELECT 1;" >>"$T/install/10-rate.sql"
rm -f "$T/minqing--$ver.sql"
mk minqing--"$ver".sql >"$T/m2.log" 2>&1
check "a changed part of the released $ver is refused until default_version moves on" \
	"$?:$(grep -c 'set a new default_version' "$T/m2.log")" "2:1"

sed -i "s/^default_version = .*/default_version = '$next'/" "$T/minqing.control"
mk minqing--"$next".sql minqing--"$ver".sql minqing--"$ver--$next".sql minqing--"$prev".sql >"$T/m3.log" 2>&1
ok $? "after the bump to $next: its install script, $ver's and $prev's from their frozen parts, the upgrade $ver -> $next"
check "minqing--$ver.sql is built from the frozen parts" \
	"$(cat "$T/install/released/$ver"/*.sql | cmp - "$T/minqing--$ver.sql" 2>&1 && echo same)" "same"
check "minqing--$ver--$next.sql carries what changed since $ver" \
	"$(grep -c "^-- 10-rate.sql (appended since $ver)" "$T/minqing--$ver--$next.sql")" "1"
check "minqing--$prev.sql is built from the frozen parts" \
	"$(cat "$T/install/released/$prev"/*.sql | cmp - "$T/minqing--$prev.sql" 2>&1 && echo same)" "same"
rm -rf "$T"
tap_done
