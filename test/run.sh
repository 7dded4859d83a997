#!/usr/bin/env bash
# make test: install missing packages, build, install into a private copy of
# PostgreSQL, start a throwaway cluster, run the pg_regress pair (sql/ +
# expected/), the pgTAP files (test/pgtap/*.sql) and the shell tests
# (test/shell/*.sh), print "N passed, N failed", stop the cluster.
#   make test                 everything
#   make test TESTS="rate"    only the named features (sql/rate.sql, test/pgtap/rate.sql, ...)
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"

only=" $* "
want() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }

mq_ensure_packages || exit $?

WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'mq_stop_cluster' EXIT
trap 'exit 130' INT TERM

mq_build_install "$WORK" || { echo "0 passed, 1 failed"; exit 1; }
mq_start_cluster "$WORK" || { echo "0 passed, 1 failed"; exit 1; }

passed=0; failed=0
OUT=$WORK/results; rm -rf "$OUT"; mkdir -p "$OUT"; chmod 777 "$OUT"

# --- 1. pg_regress pair -------------------------------------------------------
regress=()
for f in "$MQ_ROOT"/sql/*.sql; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .sql); want "$n" && regress+=("$n")
done
if [ ${#regress[@]} -gt 0 ]; then
	mq_log "pg_regress: ${regress[*]}"
	PGXSDIR=$(dirname "$($MQ_PG_CONFIG --pgxs)")/../..
	"$PGXSDIR/src/test/regress/pg_regress" --inputdir="$MQ_ROOT" --outputdir="$OUT/regress" \
		--bindir="$MQ_BIN" --host="$PGHOST" --port="$PGPORT" --user=postgres \
		--dbname=minqing_regress --load-extension=postgis --load-extension=minqing \
		"${regress[@]}" >"$OUT/regress.log" 2>&1
	cat "$OUT/regress.log" | grep -E '^(test| +|ok|not ok)' | grep -E '\.\.\.|^(ok|not ok)' >&2
	ok=$(grep -cE '(\.\.\. ok|^ok )' "$OUT/regress.log")
	bad=$(grep -cE '(\.\.\. FAILED|^not ok )' "$OUT/regress.log")
	passed=$((passed + ok)); failed=$((failed + bad))
	if [ $((ok + bad)) -ne ${#regress[@]} ]; then
		cat "$OUT/regress.log" >&2; failed=$((failed + ${#regress[@]} - ok - bad))
	fi
	[ -f "$OUT/regress/regression.diffs" ] && head -200 "$OUT/regress/regression.diffs" >&2
fi

# --- 2. pgTAP -----------------------------------------------------------------
# Counts TAP lines of psql output; a plan that was not completed counts the
# missing assertions as failed.
tap_count() {  # file-label output-file exit-code
	local label=$1 out=$2 rc=$3 plan ok bad
	plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$out" | cut -c4-)
	ok=$(grep -cE '^ok [0-9]+|^ok -|^ok$' "$out")
	bad=$(grep -cE '^not ok' "$out")
	if [ -n "$plan" ] && [ $((ok + bad)) -lt "$plan" ]; then bad=$((bad + plan - ok - bad)); fi
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok)); failed=$((failed + bad))
	if [ "$bad" -gt 0 ]; then
		printf 'pgtap %-28s %3d ok, %d FAILED\n' "$label" "$ok" "$bad" >&2
		grep -vE '^ok ' "$out" | head -60 >&2
	else
		printf 'pgtap %-28s %3d ok\n' "$label" "$ok" >&2
	fi
}

taps=()
for f in "$MQ_ROOT"/test/pgtap/*.sql; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .sql); [ "$n" = setup ] && continue
	want "$n" && taps+=("$f")
done
if [ ${#taps[@]} -gt 0 ]; then
	psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS minqing_tap" -c "CREATE DATABASE minqing_tap" >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -d minqing_tap -c "SET client_min_messages = warning" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION minqing CASCADE" >/dev/null
	[ -f "$MQ_ROOT/test/pgtap/setup.sql" ] && psql -X -q -v ON_ERROR_STOP=1 -d minqing_tap -f "$MQ_ROOT/test/pgtap/setup.sql" >"$OUT/tap-setup.log" 2>&1 \
		|| { cat "$OUT/tap-setup.log" >&2; failed=$((failed + 1)); }
	for f in "${taps[@]}"; do
		n=$(basename "$f" .sql)
		(cd "$(dirname "$f")" && PGOPTIONS='--client-min-messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d minqing_tap -f "$f") >"$OUT/tap-$n.out" 2>&1
		tap_count "$n" "$OUT/tap-$n.out" $?
	done
fi

# --- 3. shell tests (TAP on stdout) --------------------------------------------
for f in "$MQ_ROOT"/test/shell/*.sh; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .sh); want "$n" || continue
	MQ_ROOT=$MQ_ROOT MQ_BIN=$MQ_BIN MQ_WORK=$WORK bash "$f" >"$OUT/sh-$n.out" 2>&1
	tap_count "shell/$n" "$OUT/sh-$n.out" $?
done

# --- 4. the server must still be up (no crash during the run) -------------------
if [ -n "${MQ_DATA:-}" ]; then
	if grep -qE 'terminated by signal|server process .* was terminated' "$MQ_DATA/server.log"; then
		echo "server log shows a crashed backend:" >&2
		grep -E 'terminated by signal' "$MQ_DATA/server.log" >&2
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
