#!/usr/bin/env bash
# make test-citus: minqing on a real Citus cluster (a coordinator and two
# workers on loopback ports), checked against the single-node answers.
#  1. Citus is built from ../shared/vendor/citus-<version>.tar.gz (beside the
#     checkout; AGPL-3.0, not part of minqing, never copied into this repo) and
#     cached by the tarball's SHA-256 under /var/cache/minqing-citus/ (a second
#     run skips the build), then installed into the private PostgreSQL copy
#     the other tests use (test/lib/cluster.sh).
#  2. Three throwaway clusters run as the postgres user on 127.0.0.1, ports
#     $MQ_CITUS_PORT .. +2 (default 57101..57103).
#  3. test/citus/setup.sql distributes a generated city; test/citus/checks.sql
#     prints TAP (every minqing aggregate from pg_aggregate, the window
#     functions, sentiment_index, alarm_list, rollups).
# Prints "N passed, N failed"; exits non-zero when anything failed.
#   MQ_CITUS_TARBALL=/path/citus-x.y.z.tar.gz   another Citus source tarball
#   MQ_CITUS_CACHE=/dir                         another cache directory
#   MQ_CITUS_ORDERS=N                           city size (default 20000)
#   MQ_CITUS_KEEP=1                             leave the three nodes running (psql -h 127.0.0.1 -p 57101 minqing_citus)
set -uo pipefail
MQ_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$MQ_ROOT/test/lib/cluster.sh"
CITUS_VERSION=12.1.12
# Citus's build dependencies (besides the server headers in MQ_PACKAGES)
CITUS_PACKAGES="liblz4-dev libzstd-dev libcurl4-openssl-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev zlib1g-dev"
PORT0=${MQ_CITUS_PORT:-57101}
ORDERS=${MQ_CITUS_ORDERS:-20000}
WORK=${MQ_WORK:-/tmp/minqing-$(printf '%s' "$MQ_ROOT" | md5sum | cut -c1-8)}-citus
fail() { echo "minqing test-citus: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
secs() { echo $(( $(date +%s) - $1 )); }

# --- the Citus source: beside the checkout (CI: ../shared/vendor), or beside a
# worktree's parent (/work/wt/NAME -> /work/shared/vendor)
tarball=${MQ_CITUS_TARBALL:-}
if [ -z "$tarball" ]; then
	for d in "$MQ_ROOT/../shared/vendor" "$MQ_ROOT/../../shared/vendor"; do
		[ -f "$d/citus-$CITUS_VERSION.tar.gz" ] && { tarball=$(cd "$d" && pwd)/citus-$CITUS_VERSION.tar.gz; break; }
	done
fi
[ -n "$tarball" ] && [ -f "$tarball" ] || fail "the Citus source citus-$CITUS_VERSION.tar.gz was not found in $MQ_ROOT/../shared/vendor/ (the directory beside the checkout); put it there or set MQ_CITUS_TARBALL=/path/to/citus-$CITUS_VERSION.tar.gz"

mq_ensure_packages $CITUS_PACKAGES || exit $?
mkdir -p "$WORK" && chmod 755 "$WORK" || fail "cannot create $WORK"

# --- build (or reuse) Citus -----------------------------------------------------
sha=$(sha256sum "$tarball" | cut -c1-64)
pgver=$($MQ_PG_CONFIG --version | awk '{print $2}')
cache_root=${MQ_CITUS_CACHE:-/var/cache/minqing-citus}
mkdir -p "$cache_root" 2>/dev/null && [ -w "$cache_root" ] || cache_root=$WORK/citus-cache
cache=$cache_root/$sha-pg$pgver
t0=$(date +%s)
if [ -f "$cache/ok" ]; then
	mq_log "Citus $CITUS_VERSION: cached build in $cache"
else
	mq_log "Citus $CITUS_VERSION: building from $tarball (a few minutes on 2 cores; cached in $cache)"
	build=$cache.build.$$
	rm -rf "$build"; mkdir -p "$build/src" || fail "cannot create $build"
	(
		set -e
		tar -xzf "$tarball" -C "$build/src" --strip-components=1
		cd "$build/src"
		./configure PG_CONFIG=$MQ_PG_CONFIG >"$build/configure.log" 2>&1
		# with_llvm=no: no JIT bitcode (halves the build; minqing's tests run with jit off anyway)
		make -j"$(nproc)" with_llvm=no >"$build/make.log" 2>&1
		make with_llvm=no install DESTDIR="$build/stage" >"$build/install.log" 2>&1
	) || { tail -30 "$build"/*.log >&2; fail "building Citus failed (logs in $build)"; }
	rm -rf "$build/src" "$cache"
	mv "$build" "$cache" && touch "$cache/ok" || fail "cannot store the build in $cache"
	mq_log "Citus built in $(secs "$t0") s"
fi

# --- minqing and Citus into the private PostgreSQL copy ---------------------------
mq_build_install "$WORK" || fail "building minqing failed"
cp -a "$cache/stage/usr/." "$WORK/pgroot/usr/" || fail "cannot install Citus into $WORK/pgroot"
mq_log "Citus step: build/cache + install $(secs "$t0") s"

# --- three nodes -------------------------------------------------------------------
as=""; [ "$(id -u)" = 0 ] && as="runuser -u postgres --"
nodes=(coordinator worker1 worker2)
started=()
stop_nodes() {
	local n
	if [ -n "${MQ_CITUS_KEEP:-}" ]; then
		mq_log "nodes left running (MQ_CITUS_KEEP): psql -h 127.0.0.1 -p $PORT0 -U postgres minqing_citus; stop with pg_ctl -D $WORK/NODE/data stop"
		return 0
	fi
	for n in "${started[@]}"; do
		$as "$MQ_BIN/pg_ctl" -D "$WORK/$n/data" -m immediate -w stop >/dev/null 2>&1 || true
	done
	started=()
}
trap stop_nodes EXIT
trap 'exit 130' INT TERM
SOCK=$WORK/sock
rm -rf "$SOCK"; mkdir -p "$SOCK"
for i in 0 1 2; do
	n=${nodes[$i]}; port=$((PORT0 + i))
	if "$MQ_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
		fail "port $port on 127.0.0.1 is in use (set MQ_CITUS_PORT to a free base port)"
	fi
	[ -f "$WORK/$n/data/postmaster.pid" ] && $as "$MQ_BIN/pg_ctl" -D "$WORK/$n/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$WORK/$n"; mkdir -p "$WORK/$n"
done
chown -R postgres: "$WORK" 2>/dev/null || true
for i in 0 1 2; do
	n=${nodes[$i]}; port=$((PORT0 + i))
	$as "$MQ_BIN/initdb" -D "$WORK/$n/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$WORK/$n/initdb.log" 2>&1 \
		|| { cat "$WORK/$n/initdb.log" >&2; fail "initdb of the $n failed"; }
	{
		cat "$MQ_ROOT/test/cluster.conf"
		echo "# --- test/citus/run.sh ---"
		echo "shared_preload_libraries = 'citus'"
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$SOCK'"
		echo "shared_buffers = 64MB"
		echo "max_connections = 60"
		echo "max_worker_processes = 8"
		echo "max_parallel_workers_per_gather = 0"
		# every node in the zone the sessions use: an expression pushed to a worker (created_at::date in
		# alarm_list, say) runs in the WORKER's TimeZone, not the session's (docs/scaling.md)
		echo "timezone = 'Asia/Shanghai'"
		echo "citus.node_conninfo = 'sslmode=disable'"
		echo "citus.max_adaptive_executor_pool_size = 4"
	} >>"$WORK/$n/data/postgresql.conf"
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec $as "$MQ_BIN/pg_ctl" -D "$WORK/$n/data" -l "$WORK/$n/server.log" -w -t 120 start >/dev/null
	) || { cat "$WORK/$n/server.log" >&2; fail "the $n did not start"; }
	started+=("$n")
done
mq_log "Citus nodes up on 127.0.0.1:$PORT0..$((PORT0 + 2)) (data in $WORK)"

export PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=minqing_citus
psqln() { local port=$1; shift; "$MQ_BIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
for i in 0 1 2; do
	psqln $((PORT0 + i)) -d postgres -c "CREATE DATABASE minqing_citus" >/dev/null || fail "CREATE DATABASE on ${nodes[$i]} failed"
	psqln $((PORT0 + i)) -c "SET client_min_messages = warning" -c "CREATE EXTENSION citus" >/dev/null || fail "CREATE EXTENSION citus on ${nodes[$i]} failed"
done
t1=$(date +%s)
psqln "$PORT0" -v orders="$ORDERS" -v port0="$PORT0" -v port1=$((PORT0 + 1)) -v port2=$((PORT0 + 2)) \
	-f "$MQ_ROOT/test/citus/setup.sql" >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log" >&2; fail "test/citus/setup.sql failed"; }
mq_log "city of $ORDERS orders generated and distributed in $(secs "$t1") s"

# --- the checks (TAP) ------------------------------------------------------------------
out=$WORK/checks.out
(cd "$MQ_ROOT/test/citus" && PGOPTIONS='--client-min-messages=warning' "$MQ_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -p "$PORT0" -f checks.sql) >"$out" 2>&1
rc=$?
cat "$out"
plan=$(grep -m1 -oE '^1\.\.[0-9]+' "$out" | cut -c4-)
passed=$(grep -cE '^ok [0-9]+' "$out")
failed=$(grep -cE '^not ok' "$out")
if [ -n "$plan" ] && [ $((passed + failed)) -lt "$plan" ]; then failed=$((failed + plan - passed - failed)); fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
for n in "${nodes[@]}"; do
	if grep -qE 'terminated by signal' "$WORK/$n/server.log"; then
		echo "the $n's server log shows a crashed backend:" >&2
		grep -E 'terminated by signal' "$WORK/$n/server.log" >&2
		failed=$((failed + 1))
	fi
done
mq_log "Citus step total $(secs "$t0") s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
