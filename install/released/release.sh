#!/usr/bin/env bash
# Declare a version released: freeze its install parts and the upgrade script
# from the previous release in git (install/released/README).
#   bash install/released/release.sh VERSION
# VERSION must be minqing.control's default_version and not released yet.
# Writes install/released/VERSION/ (a copy of install/*.sql) and
# install/released/minqing--PREV--VERSION.sql (mkupgrade.sh's output, frozen),
# dates VERSION's CHANGELOG heading, and prints the git commands to commit.
# It refuses to freeze an upgrade script that mkupgrade.sh could not complete.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
die() { echo "release.sh: $*" >&2; exit 1; }

ver=${1:-}
[ -n "$ver" ] || die "usage: bash install/released/release.sh VERSION"
cur=$(sed -n "s/^default_version = '\(.*\)'/\1/p" minqing.control)
[ "$ver" = "$cur" ] || die "minqing.control has default_version = '$cur'; release that version, or set it to '$ver' first"
[ ! -e "install/released/$ver" ] || die "$ver is already released (install/released/$ver exists)"
prev=$(find install/released -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -1)
[ -n "$prev" ] || die "no earlier release under install/released/"
[ "$(printf '%s\n%s\n' "$prev" "$ver" | sort -V | tail -1)" = "$ver" ] || die "$ver is not newer than the last release $prev"

up=install/released/minqing--$prev--$ver.sql
bash install/released/mkupgrade.sh "$prev" install/*.sql >"$up.tmp" 2>"$up.err" || { cat "$up.err" >&2; rm -f "$up.tmp" "$up.err"; die "mkupgrade.sh failed"; }
if grep -q '^-- MISSING' "$up.tmp"; then
	cat "$up.err" >&2; rm -f "$up.tmp" "$up.err"
	die "the upgrade from $prev needs hand-written fragments (install/upgrade/$prev--$ver/); nothing frozen"
fi
rm -f "$up.err"
mv "$up.tmp" "$up"
mkdir "install/released/$ver"
cp install/*.sql "install/released/$ver/"
if [ -f CHANGELOG.md ] && grep -q "^## $ver (unreleased)" CHANGELOG.md; then
	sed -i "s/^## $ver (unreleased)/## $ver ($(date -u +%F))/" CHANGELOG.md
fi
cat <<MSG
Released $ver:
  install/released/$ver/          the install parts, frozen (minqing--$ver.sql is built from them)
  $up   the upgrade from $prev, frozen
Next:
  make test                       (test/shell/upgrade.sh upgrades $prev to $ver from the frozen script)
  git add install/released CHANGELOG.md && git commit -m "Release $ver" && git tag v$ver
Then start the next version: set default_version in minqing.control and add "## <next> (unreleased)" to
CHANGELOG.md; the Makefile generates minqing--$ver--<next>.sql from the frozen $ver parts until it is released.
MSG
