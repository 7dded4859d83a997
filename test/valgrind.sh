#!/usr/bin/env bash
# Run the pg_regress suite (sql/ + expected/) with every server process under
# valgrind memcheck.  Not part of make test (it is ~30x slower); run by hand:
#   bash test/valgrind.sh [test names]      e.g. bash test/valgrind.sh privacy rate
# It builds and installs into its own private PostgreSQL copy, replaces that
# copy's postgres binary by a wrapper that starts the real one under valgrind,
# runs the tests, and reports every valgrind error whose stack passes through
# minqing.so (errors inside PostgreSQL itself, e.g. uninitialised padding sent
# to the WAL or a socket, are not ours and are only counted).  Debian's
# PostgreSQL is built without USE_VALGRIND, so palloc'd chunks are not
# tracked individually: this finds invalid reads/writes outside allocations
# (and of "huge" allocations, which are malloc'd one by one), use of
# uninitialised values in control flow, and invalid frees.
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed: apt-get install valgrind" >&2; exit 2; }
WORK=${MQ_VG_WORK:-/tmp/minqing-valgrind-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}
mkdir -p "$WORK"; chmod 755 "$WORK"
export MQ_PORT=${MQ_PORT:-55433}
trap 'mq_stop_cluster' EXIT

mq_build_install "$WORK" || exit 1
# the wrapper: same directory, so postgres still finds its share/ and lib/
real=$MQ_BIN/postgres.real
[ -x "$real" ] || mv "$MQ_BIN/postgres" "$real"
VG=$WORK/vg; rm -rf "$VG"; mkdir -p "$VG"; chmod 777 "$VG"
cat >"$MQ_BIN/postgres" <<EOF
#!/bin/sh
exec valgrind --quiet --tool=memcheck --trace-children=yes --track-origins=yes --num-callers=30 \\
	--error-limit=no --read-var-info=no --log-file=$VG/vg.%p.log "$real" "\$@"
EOF
chmod 755 "$MQ_BIN/postgres"
# initdb runs postgres too: keep it fast by running the real binary there
mv "$MQ_BIN/postgres" "$MQ_BIN/postgres.vg"; ln -sf postgres.real "$MQ_BIN/postgres"
MQ_DATA=$WORK/cluster; rm -rf "$MQ_DATA"
mq_start_cluster "$WORK" >/dev/null || exit 1
mq_stop_cluster
rm -f "$MQ_BIN/postgres"; mv "$MQ_BIN/postgres.vg" "$MQ_BIN/postgres"
rm -f "$VG"/*.log
as=""; [ "$(id -u)" = 0 ] && as="runuser -u postgres --"
$as "$MQ_BIN/pg_ctl" -D "$MQ_DATA/data" -l "$MQ_DATA/server.log" -w -t 600 \
	-o "-k $PGHOST -p $PGPORT -c listen_addresses='' -c max_parallel_workers_per_gather=0" start >/dev/null || { tail -20 "$MQ_DATA/server.log"; exit 1; }
MQ_CLUSTER_STARTED=1

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for f in "$MQ_ROOT"/sql/*.sql; do tests+=("$(basename "$f" .sql)"); done
fi
PGXSDIR=$(dirname "$($MQ_PG_CONFIG --pgxs)")/../..
t0=$(date +%s)
"$PGXSDIR/src/test/regress/pg_regress" --inputdir="$MQ_ROOT" --outputdir="$WORK/regress" \
	--bindir="$MQ_BIN" --host="$PGHOST" --port="$PGPORT" --user=postgres \
	--dbname=minqing_vg --load-extension=postgis --load-extension=minqing "${tests[@]}" >"$WORK/regress.log" 2>&1
grep -E '\.\.\. |^(ok|not ok)' "$WORK/regress.log"
mq_stop_cluster
secs=$(( $(date +%s) - t0 ))

ours=0; theirs=0
for f in "$VG"/vg.*.log; do
	[ -s "$f" ] || continue
	# split into error records (blank-line separated) and classify each
	while IFS= read -r -d $'\x1e' rec; do
		grep -q '^==[0-9]*== [A-Z]' <<<"$rec" || continue
		if grep -q 'minqing\.so' <<<"$rec"; then
			ours=$((ours + 1)); echo "---- $f"; echo "$rec" | head -40
		else
			theirs=$((theirs + 1))
		fi
	done < <(awk 'BEGIN{RS="==[0-9]+== \n"; ORS="\x1e"} {print}' "$f")
done
echo "valgrind: ${#tests[@]} regression tests in ${secs}s; $ours error(s) with minqing.so on the stack, $theirs elsewhere (PostgreSQL/PostGIS); logs in $VG"
[ "$ours" -eq 0 ]
